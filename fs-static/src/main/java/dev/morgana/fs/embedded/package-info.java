/**
 * A read-only key-value store ({@code KvRo}) generated at build time from a folder and compiled into the
 * application, so that an appliance needs no storage (MirageOS's crunch). The package is {@code embedded}
 * because {@code static} is a Java keyword.
 *
 * <p>Nothing lives here yet; issue #5 brings the generator and the store.
 */
package dev.morgana.fs.embedded;
