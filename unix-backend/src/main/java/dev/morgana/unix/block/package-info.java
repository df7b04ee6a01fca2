/**
 * BLOCK over a host file: {@link dev.morgana.unix.block.FileBlockModule} serves a disk image as a
 * {@link dev.morgana.api.block.Block}, the storage half of the {@code unix} target.
 *
 * <p>A disk image is the simplest honest block device a process can have: sector {@code n} is the bytes
 * from {@code n * sectorSize} of a regular file, so the same image can be inspected with {@code dd},
 * {@code mtools} or {@code losetup}, and later handed to a Xen guest as its disk. The image is never
 * created or resized here: its size at start fixes the geometry, and a size that is not a whole number of
 * sectors is refused rather than rounded, because a truncated last sector is almost always a mistake.
 *
 * <p>Requests are positional reads and writes on one {@code FileChannel}, so callers on many virtual
 * threads share no file position and need no lock unless their sectors overlap; then a small range lock
 * keeps each request whole, as the signature promises even for scatter/gather lists that take several
 * system calls. Every request is checked in full (stopped, read-only, buffer sizes, range) before the
 * first byte moves, which is what lets {@code BlockException} promise that a refused request wrote
 * nothing. {@code flush} is {@code fsync}; without it a write is in the host's page cache only.
 *
 * <p>{@code discard} is {@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)}, called through the
 * FFM API because the JDK has no hole punching: the file keeps its size, the discarded sectors give their
 * blocks back to the host file system and read as zeros afterwards. On a file system that cannot punch
 * holes, or off Linux, a discard does nothing, which {@code Block} allows.
 */
package dev.morgana.unix.block;
