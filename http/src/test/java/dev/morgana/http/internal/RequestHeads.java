package dev.morgana.http.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Seeded generators of valid request heads, and their wire form. */
final class RequestHeads {

    private RequestHeads() {}

    record Field(String name, String value) {}

    record Model(String method, String target, int minor, List<Field> fields) {

        /** The head on the wire, with random optional whitespace and leading empty lines. */
        String wire(RandomGenerator random) {
            StringBuilder out = new StringBuilder();
            out.append("\r\n".repeat(random.nextInt(3) == 0 ? random.nextInt(1, 3) : 0));
            out.append(method).append(' ').append(target).append(" HTTP/1.").append(minor).append("\r\n");
            for (Field field : fields) {
                out.append(field.name()).append(':').append(whitespace(random)).append(field.value())
                        .append(whitespace(random)).append("\r\n");
            }
            return out.append("\r\n").toString();
        }
    }

    private static final String TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PURGE"};

    static Model model(RandomGenerator random) {
        String method = random.nextInt(4) == 0 ? token(random, 1, 10) : METHODS[random.nextInt(METHODS.length)];
        StringBuilder target = new StringBuilder("/");
        for (int i = random.nextInt(40); i > 0; i--) {
            target.append((char) random.nextInt(0x21, 0x7F));
        }
        List<Field> fields = new ArrayList<>();
        for (int i = random.nextInt(12); i > 0; i--) {
            fields.add(new Field(token(random, 1, 20), value(random)));
        }
        return new Model(method, target.toString(), random.nextInt(2), fields);
    }

    static String token(RandomGenerator random, int min, int max) {
        StringBuilder token = new StringBuilder();
        for (int i = random.nextInt(min, max + 1); i > 0; i--) {
            token.append(TCHARS.charAt(random.nextInt(TCHARS.length())));
        }
        return token.toString();
    }

    /** A field value: visible ASCII and obs-text, with inner spaces and tabs but none at either end. */
    static String value(RandomGenerator random) {
        StringBuilder value = new StringBuilder();
        int length = random.nextInt(30);
        for (int i = 0; i < length; i++) {
            boolean inner = i > 0 && i < length - 1;
            int kind = random.nextInt(10);
            if (inner && kind == 0) {
                value.append(random.nextBoolean() ? ' ' : '\t');
            } else if (kind == 1) {
                value.append((char) random.nextInt(0x80, 0x100));
            } else {
                value.append((char) random.nextInt(0x21, 0x7F));
            }
        }
        return value.toString();
    }

    private static String whitespace(RandomGenerator random) {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "\t";
            default -> " \t ";
        };
    }
}
