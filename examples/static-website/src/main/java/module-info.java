/**
 * The static website unikernel: serves a folder embedded at build time over HTTP and HTTPS, written against
 * signatures only.
 */
module dev.morgana.examples.staticwebsite {
    requires dev.morgana.runtime;
    requires dev.morgana.http;
    requires dev.morgana.fs.embedded;
    requires dev.morgana.unix;
    requires jakarta.inject;
    requires java.logging; // to quiet Bouncy Castle's notes at start

    // Guice constructs the application.
    opens dev.morgana.examples.staticwebsite to com.google.guice;
}
