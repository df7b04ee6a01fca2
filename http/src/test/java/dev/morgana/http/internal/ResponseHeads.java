package dev.morgana.http.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Seeded generators of valid response heads, and their wire form. */
final class ResponseHeads {

    private ResponseHeads() {}

    record Model(int status, int minor, String reason, List<RequestHeads.Field> fields) {

        String wire(RandomGenerator random) {
            StringBuilder out = new StringBuilder("HTTP/1.").append(minor).append(' ').append(status);
            if (!reason.isEmpty() || random.nextBoolean()) {
                out.append(' ').append(reason);
            }
            out.append("\r\n");
            for (RequestHeads.Field field : fields) {
                out.append(field.name()).append(':').append(random.nextBoolean() ? " " : "").append(field.value())
                        .append(random.nextBoolean() ? "\t" : "").append("\r\n");
            }
            return out.append("\r\n").toString();
        }
    }

    static Model model(RandomGenerator random) {
        List<RequestHeads.Field> fields = new ArrayList<>();
        for (int i = random.nextInt(12); i > 0; i--) {
            fields.add(new RequestHeads.Field(RequestHeads.token(random, 1, 20), RequestHeads.value(random)));
        }
        String reason = random.nextInt(4) == 0 ? "" : RequestHeads.value(random);
        return new Model(random.nextInt(100, 1000), random.nextInt(2), reason, fields);
    }
}
