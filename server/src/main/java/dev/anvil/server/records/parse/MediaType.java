package dev.anvil.server.records.parse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.anvil.server.records.PgrstError;

/**
 * The response formats the engine produces, chosen from {@code Accept} (PostgREST's media type
 * negotiation): JSON arrays, single objects ({@code application/vnd.pgrst.object+json}, PGRST116
 * unless exactly one row), CSV. {@code nulls=stripped} drops null-valued keys.
 */
public enum MediaType {
    JSON("application/json; charset=utf-8"),
    ARRAY("application/vnd.pgrst.array+json; charset=utf-8"),
    OBJECT("application/vnd.pgrst.object+json; charset=utf-8"),
    CSV("text/csv; charset=utf-8");

    private final String contentType;

    MediaType(String contentType) {
        this.contentType = contentType;
    }

    public String contentType(boolean nullsStripped) {
        return nullsStripped ? contentType.replace("; charset", ";nulls=stripped; charset") : contentType;
    }

    public boolean singular() {
        return this == OBJECT;
    }

    /** The chosen format and whether nulls are stripped. */
    public record Choice(MediaType type, boolean nullsStripped) {
    }

    public static final Choice DEFAULT = new Choice(JSON, false);

    /** Picks the first acceptable type in q-order; 406 PGRST107 when none is. */
    public static Choice negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return DEFAULT;
        }
        List<Offer> offers = new ArrayList<>();
        String[] parts = accept.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] pieces = parts[i].split(";");
            if (pieces.length == 0) {
                continue;
            }
            String type = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            boolean stripped = false;
            for (int j = 1; j < pieces.length; j++) {
                String param = pieces[j].trim().toLowerCase(Locale.ROOT);
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException ignored) {
                        q = 0;
                    }
                } else if (param.equals("nulls=stripped")) {
                    stripped = true;
                }
            }
            if (!type.isEmpty() && q > 0) {
                offers.add(new Offer(type, q, i, stripped));
            }
        }
        offers.sort(Comparator.comparingDouble((Offer o) -> -o.q).thenComparingInt(o -> o.order));
        for (Offer offer : offers) {
            MediaType type = switch (offer.type) {
                case "application/json", "application/*", "*/*" -> JSON;
                case "application/vnd.pgrst.array+json", "application/vnd.pgrst.array" -> ARRAY;
                case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object" -> OBJECT;
                case "text/csv" -> CSV;
                default -> null;
            };
            if (type != null) {
                boolean stripped = offer.stripped && (type == ARRAY || type == OBJECT);
                return new Choice(type, stripped);
            }
        }
        throw PgrstError.mediaType(accept);
    }

    private record Offer(String type, double q, int order, boolean stripped) {
    }
}
