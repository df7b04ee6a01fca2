package dev.morgana.api;

/** The event loop whose events the current thread brings, bound by {@link EventLoop#runEvents}. */
final class CurrentLoop {

    static final ScopedValue<EventLoop> LOOP = ScopedValue.newInstance();

    private CurrentLoop() {}
}
