/**
 * A read-only key-value store ({@code KvRo}) generated at build time from a folder and shipped inside the
 * application's jar, so that an appliance needs no storage (MirageOS's crunch). The package is
 * {@code embedded} because {@code static} is a Java keyword.
 *
 * <p><b>Build time.</b> {@code morgana-fs-static-maven-plugin}'s {@code embed} goal walks the folder and
 * writes a store named by its {@code <store>} parameter into the resources:
 * {@code META-INF/morgana/kv/STORE/index}, every key with its kind, size, SHA-256 and modification time, and
 * {@code META-INF/morgana/kv/STORE/pack-N}, the contents. Equal contents are stored once; values are packed
 * in key order into packs of about a mebibyte, and a larger value has a pack of its own. Resources rather
 * than generated classes: a class file cannot hold more than a few hundred kilobytes of constants, and a
 * store may hold gigabytes. Each store has its own folder, so one application can embed several.
 *
 * <p><b>Run time.</b> {@link dev.morgana.fs.embedded.EmbeddedKvModule} provides the store as {@code KvRo}
 * (qualified with {@code named(...)} to embed two). The index is read and checked when the store is first
 * injected; a pack is read into memory the first time one of its values is asked for, and {@code get} and
 * {@code getPartial} return read-only slices of it, never copies. No file is opened: the resources come
 * through the class loader, from the jar or a folder of classes alike.
 *
 * <p><b>Digests</b> are those of the folder store of the {@code unix} target: a value's is the SHA-256 of
 * its bytes, a dictionary's covers its entries' names, kinds and digests. A folder served from the host
 * and the same folder embedded give equal digests, hence equal ETags.
 *
 * <p><b>Modification times</b> are recorded at build time, in milliseconds. A reproducible build (one with
 * {@code project.build.outputTimestamp} or {@code SOURCE_DATE_EPOCH}) records that instant for every key, as
 * the jar does for its entries: otherwise a checkout's file times would change the bytes of the jar.
 *
 * <p><b>What the generator takes from the folder</b>: directories (dictionaries, also empty ones), regular
 * files (values), and symbolic links whose target lies inside the folder, embedded as what they point to
 * (a copy, which costs nothing for a file since equal contents are stored once). A link that leads out of
 * the folder or does not resolve is left out, with a warning, as the folder store hides it; a link that
 * makes a cycle fails the build. Special files (FIFOs, sockets, devices) and names that are no valid key
 * segment are left out with a warning. Nothing outside the folder can be read, and the keys of the store
 * cannot name anything outside it: they are checked {@code KvKey}s, refused at build time and again when
 * the index is read.
 */
package dev.morgana.fs.embedded;
