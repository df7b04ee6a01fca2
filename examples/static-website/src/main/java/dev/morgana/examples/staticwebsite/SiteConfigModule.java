package dev.morgana.examples.staticwebsite;

import com.google.inject.AbstractModule;

/**
 * The website's configuration as a binding.
 *
 * <ul>
 *   <li><b>Requires:</b> nothing.</li>
 *   <li><b>Provides:</b> {@link SiteConfig}, as given.</li>
 * </ul>
 */
final class SiteConfigModule extends AbstractModule {

    private final SiteConfig config;

    SiteConfigModule(SiteConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(SiteConfig.class).toInstance(config);
    }
}
