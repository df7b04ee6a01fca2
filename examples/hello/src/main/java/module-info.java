/** The hello unikernel: the smallest application, written against signatures only. */
module dev.morgana.examples.hello {
    requires dev.morgana.runtime;
    requires dev.morgana.unix;
    requires jakarta.inject;

    // Guice constructs the application.
    opens dev.morgana.examples.hello to com.google.guice;
}
