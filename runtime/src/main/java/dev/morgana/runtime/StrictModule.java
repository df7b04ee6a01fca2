package dev.morgana.runtime;

import com.google.inject.AbstractModule;
import dev.morgana.api.Application;

/**
 * The bootstrap's own module: Guice's strict options (CONVENTIONS 7) and the binding of the application
 * class, so that everything the application needs must be bound explicitly by the target.
 */
final class StrictModule extends AbstractModule {

    private final Class<? extends Application> application;

    StrictModule(Class<? extends Application> application) {
        this.application = application;
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        binder().requireExactBindingAnnotations();
        binder().requireAtInjectOnConstructors();
        bind(application);
    }
}
