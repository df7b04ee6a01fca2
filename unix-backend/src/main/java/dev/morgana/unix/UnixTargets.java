package dev.morgana.unix;

import com.google.inject.Module;
import dev.morgana.runtime.Target;
import dev.morgana.runtime.jvm.JvmModule;
import dev.morgana.unix.net.UnixStackModule;
import java.util.List;

/**
 * The targets this backend offers. A disk or a folder needs a path that only the application knows, so
 * the target holds the network and the JVM basics, and an application adds, for example,
 * {@code FileBlockModule} or {@code FolderKvModule.readOnly(path)} to the list for what it uses.
 */
public final class UnixTargets {

    private UnixTargets() {}

    /**
     * The {@code unix} target's modules: the JVM basics and the host-socket stack.
     *
     * @return the functors, ready for {@link dev.morgana.runtime.Unikernel#of}
     */
    public static List<Module> unixModules() {
        return List.of(new JvmModule(), new UnixStackModule());
    }

    /**
     * The {@code unix} target: an ordinary process on the host's sockets; no privileges needed.
     *
     * @return the target, for {@link dev.morgana.runtime.Launcher}
     */
    public static Target unix() {
        return new Target("unix", "an ordinary process on the host's TCP/IP stack (Netty)", UnixTargets::unixModules);
    }
}
