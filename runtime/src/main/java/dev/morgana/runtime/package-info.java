/**
 * Functor application: turning a target (a list of Guice modules, each a functor from the signatures it
 * requires to the signatures it exposes) into a running unikernel.
 *
 * <p>{@link dev.morgana.runtime.Unikernel} builds a strict injector from the target's modules plus the
 * application class, reports a missing signature with the module that needs it, starts every
 * {@link dev.morgana.api.Service} in dependency order, runs the {@link dev.morgana.api.Application} on a
 * virtual thread, and stops the services in reverse order on exit, on failure and on SIGTERM.
 * {@link dev.morgana.runtime.Unikernel#describe()} prints the device graph — which module provides which
 * signature to whom — as text or Graphviz DOT. {@link dev.morgana.runtime.Launcher} is the command line
 * around it: {@code --target NAME} to choose among the targets an example offers, {@code describe
 * [--dot]} to print the graph instead of running.
 */
package dev.morgana.runtime;
