package dev.morgana.runtime;

import java.util.ArrayList;
import java.util.List;

/** What test services and applications did, in order. Not final: the SIGTERM fixture prints instead. */
class Journal {

    private final List<String> entries = new ArrayList<>();

    synchronized void add(String entry) {
        entries.add(entry);
    }

    synchronized List<String> entries() {
        return List.copyOf(entries);
    }
}
