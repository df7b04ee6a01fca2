package dev.morgana.api.block;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * BLOCK: a device of fixed-size sectors.
 *
 * <p>Thread safety: requests may come from several threads at once; requests that overlap in sectors
 * complete in some order, each whole.
 *
 * <p>Buffers are the caller's, used during the call only. Every buffer's size must be a whole number of
 * sectors ({@link BlockInfo#sectorSize()}); a request that is misaligned or runs past the end fails with
 * {@link BlockException} and touches nothing.
 */
public interface Block {

    /**
     * Returns the device's geometry.
     *
     * @return sector size, sector count and whether it is writable; fixed while the device is open
     */
    BlockInfo info();

    /**
     * Reads consecutive sectors into the buffers, filling each in turn (scatter).
     *
     * @param sector the first sector to read
     * @param buffers writable buffers, each a whole number of sectors
     * @throws BlockException {@link BlockException.Reason#MISALIGNED}, {@link BlockException.Reason#OUT_OF_RANGE},
     *     {@link BlockException.Reason#CLOSED}, {@link BlockException.Reason#DEVICE_FAILED}
     */
    void read(long sector, List<MemorySegment> buffers) throws BlockException;

    /**
     * Writes consecutive sectors from the buffers, each in turn (gather). The data is durable only after
     * {@link #flush()}.
     *
     * @param sector the first sector to write
     * @param buffers buffers, each a whole number of sectors
     * @throws BlockException {@link BlockException.Reason#READ_ONLY} and as {@link #read} does
     */
    void write(long sector, List<MemorySegment> buffers) throws BlockException;

    /**
     * Reads consecutive sectors into one buffer.
     *
     * @param sector the first sector to read
     * @param buffer a writable buffer, a whole number of sectors
     * @throws BlockException as {@link #read(long, List)} does
     */
    default void read(long sector, MemorySegment buffer) throws BlockException {
        read(sector, List.of(buffer));
    }

    /**
     * Writes consecutive sectors from one buffer.
     *
     * @param sector the first sector to write
     * @param buffer a whole number of sectors
     * @throws BlockException as {@link #write(long, List)} does
     */
    default void write(long sector, MemorySegment buffer) throws BlockException {
        write(sector, List.of(buffer));
    }

    /**
     * Makes every completed write durable before returning.
     *
     * @throws BlockException {@link BlockException.Reason#CLOSED}, {@link BlockException.Reason#DEVICE_FAILED}
     */
    void flush() throws BlockException;

    /**
     * Tells the device that sectors no longer hold data it must keep, so it may free their space. Reading
     * them afterwards returns unspecified bytes. Devices that cannot discard do nothing.
     *
     * @param sector the first sector
     * @param count how many sectors
     * @throws BlockException {@link BlockException.Reason#READ_ONLY}, {@link BlockException.Reason#OUT_OF_RANGE},
     *     {@link BlockException.Reason#CLOSED}, {@link BlockException.Reason#DEVICE_FAILED}
     */
    void discard(long sector, long count) throws BlockException;
}
