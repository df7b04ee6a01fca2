package dev.morgana.runtime;

import com.google.inject.Key;
import com.google.inject.spi.ElementSource;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Optional;

/** Short names for keys and modules in messages and in the device graph. */
final class Labels {

    private Labels() {}

    /**
     * Names a key the way a reader of the target thinks of it: {@code Network}, {@code @Named("assets") KvRo}.
     */
    static String key(Key<?> key) {
        String type = shorten(key.getTypeLiteral().toString());
        Annotation annotation = key.getAnnotation();
        if (annotation != null) {
            return shorten(annotation.toString()) + " " + type;
        }
        if (key.getAnnotationType() != null) {
            return "@" + key.getAnnotationType().getSimpleName() + " " + type;
        }
        return type;
    }

    /**
     * The innermost module that made an element, as a short class name, if the source says; the
     * application's own binding, made by the bootstrap, is labelled {@code application}.
     */
    static Optional<String> module(Object source, String application) {
        if (source instanceof ElementSource element) {
            // Elements replayed into the injector (see Unikernel) remember where they were first recorded.
            while (element.getOriginalElementSource() != null) {
                element = element.getOriginalElementSource();
            }
            List<String> modules = element.getModuleClassNames();
            if (!modules.isEmpty()) {
                String innermost = modules.getFirst();
                return Optional.of(innermost.equals(StrictModule.class.getName()) ? application : shorten(innermost));
            }
        }
        return Optional.empty();
    }

    /** Strips package names from every qualified name in {@code text}, and shows nested classes with a dot. */
    static String shorten(String text) {
        return text.replaceAll("\\b(?:[a-z_][\\w]*\\.)+(?=[A-Z])", "").replace('$', '.');
    }
}
