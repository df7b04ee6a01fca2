package dev.morgana.fs.embedded.internal;

import java.util.regex.Pattern;

/**
 * Where an embedded store lives among the application's resources: {@code META-INF/morgana/kv/STORE/index}
 * and {@code META-INF/morgana/kv/STORE/pack-N} for N from 0. Resources under {@code META-INF} are not in a
 * package, so no module encapsulates them: the store finds them from its own module, whichever module of
 * the application they were packaged in. Each store has its own folder, so one application can embed
 * several.
 */
public final class Layout {

    /** The folder of every store. */
    public static final String ROOT = "META-INF/morgana/kv/";

    /**
     * Store names: short, lower case, safe in a resource path and a file name. A name cannot be {@code .} or
     * {@code ..} as it must start with a letter or digit.
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private Layout() {}

    /**
     * Checks a store's name.
     *
     * @param store the name
     * @return the name
     * @throws IllegalArgumentException unless it is 1 to 64 characters of {@code a-z 0-9 . _ -}, starting with a
     *     letter or digit
     */
    public static String checkName(String store) {
        if (!NAME.matcher(store).matches()) {
            throw new IllegalArgumentException("an embedded store's name is 1 to 64 characters of a-z, 0-9, '.', '_' and '-',"
                    + " starting with a letter or digit; \"" + store + "\" is not");
        }
        return store;
    }

    /**
     * The folder of one store's resources.
     *
     * @param store a valid name
     * @return for example {@code META-INF/morgana/kv/site/}
     */
    public static String folder(String store) {
        return ROOT + checkName(store) + "/";
    }

    /**
     * The index's resource name.
     *
     * @param store a valid name
     * @return for example {@code META-INF/morgana/kv/site/index}
     */
    public static String index(String store) {
        return folder(store) + "index";
    }

    /**
     * A pack's resource name.
     *
     * @param store a valid name
     * @param pack the pack's number
     * @return for example {@code META-INF/morgana/kv/site/pack-0}
     */
    public static String pack(String store, int pack) {
        return folder(store) + "pack-" + pack;
    }
}
