package dev.morgana.api.block;

/**
 * The geometry of a block device, written {@code 2048x512:rw} (sector count, sector size in bytes, and
 * {@code rw} or {@code ro}).
 *
 * @param sectorSize bytes per sector: a power of two from 512 to 65536
 * @param sectorCount how many sectors the device has, 0 or more
 * @param writable whether writes are allowed
 */
public record BlockInfo(int sectorSize, long sectorCount, boolean writable) {

    /** The smallest sector size. */
    public static final int MIN_SECTOR_SIZE = 512;

    /** The largest sector size. */
    public static final int MAX_SECTOR_SIZE = 65_536;

    /**
     * Checks the geometry.
     *
     * @throws IllegalArgumentException when the sector size is not a power of two from 512 to 65536, the
     *     count is negative, or the total size does not fit in a {@code long}
     */
    public BlockInfo {
        if (sectorSize < MIN_SECTOR_SIZE || sectorSize > MAX_SECTOR_SIZE || Integer.bitCount(sectorSize) != 1) {
            throw new IllegalArgumentException(
                    "a sector size is a power of two from 512 to 65536, got " + sectorSize);
        }
        if (sectorCount < 0) {
            throw new IllegalArgumentException("a sector count is 0 or more, got " + sectorCount);
        }
        if (sectorCount > Long.MAX_VALUE / sectorSize) {
            throw new IllegalArgumentException(
                    sectorCount + " sectors of " + sectorSize + " bytes is more bytes than a long holds");
        }
    }

    /**
     * Parses {@code COUNTxSIZE:rw} or {@code COUNTxSIZE:ro}.
     *
     * @param text for example {@code 2048x512:rw}
     * @return the geometry
     * @throws IllegalArgumentException when {@code text} has another form or an invalid geometry
     */
    public static BlockInfo parse(String text) {
        int x = text.indexOf('x');
        int colon = text.indexOf(':');
        if (x < 0 || colon < x) {
            throw invalid(text);
        }
        String mode = text.substring(colon + 1);
        if (!mode.equals("rw") && !mode.equals("ro")) {
            throw invalid(text);
        }
        return new BlockInfo((int) number(text, text.substring(x + 1, colon), 5),
                number(text, text.substring(0, x), 18), mode.equals("rw"));
    }

    /**
     * Returns the device's size.
     *
     * @return {@code sectorSize * sectorCount} bytes
     */
    public long sizeBytes() {
        return sectorSize * sectorCount;
    }

    /**
     * Formats the geometry as {@code COUNTxSIZE:rw} or {@code COUNTxSIZE:ro}.
     *
     * @return for example {@code 2048x512:rw}
     */
    @Override
    public String toString() {
        return sectorCount + "x" + sectorSize + (writable ? ":rw" : ":ro");
    }

    private static long number(String text, String digits, int maxDigits) {
        if (digits.isEmpty() || digits.length() > maxDigits || digits.length() > 1 && digits.charAt(0) == '0'
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text);
        }
        return Long.parseLong(digits);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not a block geometry: \"" + text
                + "\" (expected sector count, 'x', sector size, ':rw' or ':ro', like 2048x512:rw)");
    }
}
