/**
 * Key-value stores over a host folder: the storage half of the {@code unix} target.
 * {@link dev.morgana.unix.kv.FolderKvModule} provides {@code KvRo}, and {@code KvRw} when writable.
 *
 * <p><b>Mapping.</b> Each segment of a key is one path element under the root; directories are
 * dictionaries, regular files are values. {@code KvKey} already refuses {@code ..}, {@code /} and NUL, so a
 * key alone cannot leave the root. The host can: a symbolic link is followed only when its target, resolved
 * with {@code toRealPath}, lies under the root's real path, and this is checked on every read, listing and
 * write. Whatever the store does not see — a link leading out of the root, a dangling or looping link, a
 * special file (FIFO, socket, device) — is left out of listings, reads as not found, and is never written
 * through or replaced: a write that would have to is refused as {@code NotFound}. Removing or renaming a
 * key that is a link inside the root removes or moves the link, never its target.
 *
 * <p><b>Metadata.</b> {@code lastModified} is the file's or directory's modification time; a dictionary's
 * changes when an entry is added, removed or replaced, not when something deeper changes. {@code digest} of
 * a value is the SHA-256 of its bytes; of a dictionary, the SHA-256 over its entries in name order, each as
 * {@code v} or {@code d}, the name in UTF-8, a NUL, the entry's digest in hex and a newline, so it reads
 * everything below the dictionary, and stops with {@code Failed} at a cycle of links.
 *
 * <p><b>Reserved names.</b> Every name a host directory can hold is also a valid key segment, so the store
 * reserves the prefix {@code .morgana~} for its temporary files and for dictionaries being removed. Entries
 * with that prefix are hidden like the above; a key with a segment that starts with it is not found, and
 * writing one is refused as {@code NotFound}. After a crash such leftovers take space but are never seen.
 *
 * <p><b>Atomic writes.</b> A write creates a new file under a reserved name in the value's directory,
 * writes and {@code fsync}s it, and renames it over the value ({@code ATOMIC_MOVE}, which is
 * {@code rename(2)}), then syncs the directory. A reader, in this process or another, and the disk after a
 * crash have the old value or the new one, never a part. A partial write copies the value, patches the copy
 * and renames it the same way, so it costs a copy of the value. Allocation writes the zeros, so that the
 * space is really reserved. Removing a dictionary first renames it aside, so it disappears in one step.
 * Values read are heap snapshots: an open file keeps the bytes it had when a rename replaces it.
 *
 * <p><b>Batches.</b> A batch's body writes to an overlay held in memory; its reads see its own writes.
 * Writers wait while the body runs, readers do not. When the body returns, its writes are replayed on the
 * folder under a lock that readers in this process also wait for, so they see none of the batch or all of
 * it; when the body throws, nothing is written. On a host file system there is no transaction across files:
 * against a crash, or another process reading the folder, each write of a batch is atomic on its own, not the
 * batch as a whole; and if the host fails in the middle of a commit, the writes before the failure stay.
 * Inside a batch, an entry reached by two keys (through a link inside the root) shows the batch's writes
 * under the key they were made through only.
 *
 * <p><b>Read-only mode</b> exposes {@code KvRo} alone, and its store refuses writes with {@code Failed}
 * even to a caller that casts it.
 *
 * <p><b>What is not guarded.</b> The checks defend against hostile keys and against links placed in the
 * folder, not against another program swapping directories while a call runs; this store is not a sandbox
 * against the host itself.
 */
package dev.morgana.unix.kv;
