package dev.anvil.server.records;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.SplittableRandom;

/**
 * Generates PostgREST requests for the films database: mostly well-formed (real tables, columns,
 * embeds, operators, preferences), then mutated (characters inserted, deleted, swapped; quotes,
 * commas, parentheses, NUL, unicode, huge numbers), with random methods, headers and bodies.
 * Deterministic for a seed.
 */
final class RecordsFuzzer {

    /** A generated request. */
    record Case(String method, String path, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return method + " " + path + " " + headers + (body == null ? "" : " body=" + body);
        }
    }

    static final Map<String, List<String>> COLUMNS = Map.ofEntries(
            Map.entry("films", List.of("id", "director_id", "title", "year", "rating", "language", "tags", "meta", "summary",
                    "released", "duration", "available")),
            Map.entry("directors", List.of("id", "first_name", "last_name")),
            Map.entry("actors", List.of("id", "first_name", "last_name")),
            Map.entry("roles", List.of("film_id", "actor_id", "character")),
            Map.entry("technical_specs", List.of("film_id", "runtime", "camera")),
            Map.entry("competitions", List.of("id", "name", "year")),
            Map.entry("nominations", List.of("id", "competition_id", "film_id", "rank")),
            Map.entry("addresses", List.of("id", "street", "city")),
            Map.entry("orders", List.of("id", "name", "billing_address_id", "shipping_address_id")),
            Map.entry("employees", List.of("id", "name", "manager_id")),
            Map.entry("items", List.of("id", "name", "price", "qty", "note", "code", "data", "created_at", "total")),
            Map.entry("documents", List.of("id", "body", "tsv")),
            Map.entry("film_titles", List.of("id", "title", "year")));
    static final Map<String, List<String>> EMBEDS = Map.ofEntries(
            Map.entry("films", List.of("directors", "actors", "roles", "technical_specs", "nominations", "competitions")),
            Map.entry("directors", List.of("films")),
            Map.entry("actors", List.of("films", "roles")),
            Map.entry("roles", List.of("films", "actors")),
            Map.entry("technical_specs", List.of("films")),
            Map.entry("competitions", List.of("nominations", "films")),
            Map.entry("nominations", List.of("films", "competitions")),
            Map.entry("addresses", List.of("orders")),
            Map.entry("orders", List.of("addresses", "addresses!billing", "addresses!shipping", "billing", "shipping_address_id")),
            Map.entry("employees", List.of("employees", "employees!manager_id", "manager_id")));
    static final List<String> FUNCTIONS = List.of("add", "films_after", "best_film", "years", "ping", "echo", "whole_body",
            "stats", "new_director", "fail", "teapot", "sum_all", "whoami", "claims", "nope");
    static final List<String> OPERATORS = List.of("eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch",
            "is", "isdistinct", "in", "cs", "cd", "ov", "sl", "sr", "nxl", "nxr", "adj", "fts", "plfts", "phfts", "wfts",
            "fts(english)", "wfts(simple)", "eq(any)", "like(all)", "gt(any)", "not.eq", "not.in", "not.is", "bogus");
    static final List<String> VALUES = List.of("1", "2010", "-5", "0", "8.5", "1e309", "99999999999999999999", "abc", "",
            "null", "true", "false", "unknown", "not_null", "Memento", "*e*", "%", "^[A-Z]", "(", "[", "{thriller}",
            "{\"budget\":9}", "{1,2}", "[1,5)", "(,)", "2019-05-30", "2020-13-45", "'", "\"", "x' OR '1'='1", "a,b",
            "(1,2,3)", "(Memento,\"Lady Bird\")", "()", "{a,\"b,c\"}", "日本語", "\u0000", "\\", "fox & dog", "-quick");
    static final List<String> NASTY = List.of("\"", "'", "(", ")", ",", ".", ":", "::", "!", "*", "%", "\\", ";", "--",
            "->", "->>", "{", "}", "[", "]", " ", "\u0000", "é", "\uD83D\uDE00", "&", "=", "...", "!inner", "$1", "?",
            "/*", "*/", "\n", "\t");
    static final List<String> PREFERS = List.of("return=representation", "return=minimal", "return=headers-only",
            "count=exact", "count=planned", "count=estimated", "resolution=merge-duplicates", "resolution=ignore-duplicates",
            "missing=default", "tx=rollback", "tx=commit", "handling=strict", "handling=lenient", "max-affected=1",
            "max-affected=-3", "timezone=Europe/Paris", "timezone=Nowhere/Else", "params=single-object", "garbage", "count=");
    static final List<String> ACCEPTS = List.of("application/json", "*/*", "application/vnd.pgrst.object+json", "text/csv",
            "application/vnd.pgrst.array+json;nulls=stripped", "application/vnd.pgrst.object+json;nulls=stripped",
            "text/html", "application/geo+json", "application/vnd.pgrst.plan+json", "text/csv;q=0.1, application/json",
            ";;;", "application/json; q=abc");
    static final List<String> PROFILES = List.of("public", "analytics", "auth", "nope", "", "PUBLIC");

    private final SplittableRandom random;

    RecordsFuzzer(long seed) {
        this.random = new SplittableRandom(seed);
    }

    Case next() {
        int kind = random.nextInt(100);
        String method;
        String path;
        String body = null;
        if (kind < 12) {
            String fn = pick(FUNCTIONS);
            boolean post = random.nextBoolean();
            method = post ? "POST" : pick(List.of("GET", "HEAD", "PATCH"));
            path = "/api/database/rpc/" + encodePath(maybeMutate(fn)) + "?" + rpcQuery(post);
            body = post ? rpcBody() : null;
        } else {
            String table = pick(new ArrayList<>(COLUMNS.keySet()));
            String target = random.nextInt(30) == 0 ? maybeMutate(table) + pick(NASTY) : table;
            int m = random.nextInt(100);
            method = m < 55 ? "GET" : m < 60 ? "HEAD" : m < 75 ? "POST" : m < 85 ? "PATCH" : m < 92 ? "DELETE" : m < 97 ? "PUT" : "OPTIONS";
            path = "/api/database/records/" + encodePath(target) + "?" + query(table, method);
            if (method.equals("POST") || method.equals("PATCH") || method.equals("PUT")) {
                body = body(table);
            }
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        int headerCount = random.nextInt(4);
        for (int i = 0; i < headerCount; i++) {
            switch (random.nextInt(5)) {
                case 0 -> headers.put("Prefer", prefer());
                case 1 -> headers.put("Accept", pick(ACCEPTS));
                case 2 -> headers.put("Range", random.nextInt(3) + "-" + (random.nextBoolean() ? random.nextInt(6) + "" : ""));
                case 3 -> headers.put(method.equals("GET") || method.equals("HEAD") ? "Accept-Profile" : "Content-Profile",
                        pick(PROFILES));
                default -> headers.put("Prefer", prefer() + ", " + prefer());
            }
        }
        return new Case(method, path, headers, body);
    }

    private String prefer() {
        return pick(PREFERS);
    }

    private String query(String table, String method) {
        List<String[]> pairs = new ArrayList<>();
        if (random.nextInt(4) != 0) {
            pairs.add(new String[] {"select", select(table, 0)});
        }
        int filters = random.nextInt(4);
        for (int i = 0; i < filters; i++) {
            pairs.add(filter(table));
        }
        if (random.nextInt(5) == 0) {
            pairs.add(new String[] {pick(List.of("or", "and", "not.or", "not.and")), "(" + logic(table, 0) + ")"});
        }
        if (random.nextInt(3) == 0) {
            pairs.add(new String[] {"order", order(table)});
        }
        if (random.nextInt(4) == 0) {
            pairs.add(new String[] {"limit", pick(List.of("0", "1", "2", "10", "-1", "abc", "99999999999999999999"))});
        }
        if (random.nextInt(5) == 0) {
            pairs.add(new String[] {"offset", pick(List.of("0", "1", "3", "100", "-2", "9223372036854775807"))});
        }
        List<String> embeds = EMBEDS.getOrDefault(table, List.of());
        if (!embeds.isEmpty() && random.nextInt(5) == 0) {
            String embed = pick(embeds).replaceAll("!.*", "");
            pairs.add(new String[] {embed + "." + pick(List.of("order", "limit", "offset", "or", "id", "name")),
                    pick(List.of("id.desc", "1", "2", "(id.eq.1,id.gt.3)", "eq.1", "like.*a*"))});
        }
        if (method.equals("POST") && random.nextInt(3) == 0) {
            pairs.add(new String[] {pick(List.of("columns", "on_conflict")), pick(COLUMNS.get(table)) + (random.nextBoolean()
                    ? "," + pick(COLUMNS.get(table)) : "")});
        }
        if (random.nextInt(12) == 0) {
            pairs.add(new String[] {"schema", pick(PROFILES)});
        }
        StringBuilder out = new StringBuilder();
        for (String[] pair : pairs) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(encode(maybeMutate(pair[0]))).append('=').append(encode(maybeMutate(pair[1])));
        }
        return out.toString();
    }

    private String select(String table, int depth) {
        List<String> columns = COLUMNS.getOrDefault(table, List.of("id"));
        List<String> items = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            int r = random.nextInt(10);
            List<String> embeds = EMBEDS.getOrDefault(table, List.of());
            if (r < 2) {
                items.add("*");
            } else if (r < 4 && depth < 3 && !embeds.isEmpty()) {
                String embed = pick(embeds);
                String target = embed.replaceAll("!.*", "");
                String prefix = random.nextInt(4) == 0 ? "..." : random.nextInt(3) == 0 ? "alias" + i + ":" : "";
                String inner = random.nextInt(4) == 0 ? "!inner" : "";
                String childTable = COLUMNS.containsKey(target) ? target : "addresses";
                items.add(prefix + embed + inner + "(" + (random.nextInt(8) == 0 ? "" : select(childTable, depth + 1)) + ")");
            } else {
                String column = pick(columns);
                String path = random.nextInt(6) == 0 ? pick(List.of("->a", "->>b", "->0", "->studio->>name", "->-1")) : "";
                String cast = random.nextInt(8) == 0 ? "::" + pick(List.of("text", "int", "integer", "jsonb", "date", "nope",
                        "double precision", "bool")) : "";
                String alias = random.nextInt(6) == 0 ? "x" + i + ":" : "";
                items.add(alias + column + path + cast);
            }
        }
        return String.join(",", items);
    }

    private String[] filter(String table) {
        List<String> columns = COLUMNS.getOrDefault(table, List.of("id"));
        String column = pick(columns);
        if (random.nextInt(8) == 0) {
            column += pick(List.of("->budget", "->>studio", "->0", "->>0"));
        }
        List<String> embeds = EMBEDS.getOrDefault(table, List.of());
        if (!embeds.isEmpty() && random.nextInt(10) == 0) {
            column = pick(embeds).replaceAll("!.*", "") + "." + pick(List.of("id", "name", "title", "last_name"));
        }
        return new String[] {column, pick(OPERATORS) + "." + value()};
    }

    private String value() {
        String value = pick(VALUES);
        if (random.nextInt(10) == 0) {
            value = value + pick(VALUES);
        }
        return value;
    }

    private String logic(String table, int depth) {
        List<String> parts = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (depth < 3 && random.nextInt(4) == 0) {
                parts.add(pick(List.of("and", "or", "not.and", "not.or")) + "(" + logic(table, depth + 1) + ")");
            } else {
                String[] f = filter(table);
                parts.add(f[0] + "." + f[1]);
            }
        }
        return String.join(",", parts);
    }

    private String order(String table) {
        List<String> columns = COLUMNS.getOrDefault(table, List.of("id"));
        List<String> terms = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String term = random.nextInt(8) == 0 ? "directors(last_name)" : pick(columns);
            term += pick(List.of("", ".asc", ".desc", ".desc.nullslast", ".nullsfirst", ".sideways"));
            terms.add(term);
        }
        return String.join(",", terms);
    }

    private String rpcQuery(boolean post) {
        StringBuilder out = new StringBuilder();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            String key = pick(List.of("a", "b", "after", "nums", "payload", "msg", "first", "last", "select", "title", "limit", "order", "year"));
            String value = switch (key) {
                case "select" -> pick(List.of("title", "*", "title,directors(last_name)", "nope"));
                case "title", "year" -> pick(OPERATORS) + "." + value();
                case "order" -> pick(List.of("year.desc", "title", "nope"));
                default -> value();
            };
            out.append(encode(maybeMutate(key))).append('=').append(encode(maybeMutate(value)));
        }
        return out.toString();
    }

    private String rpcBody() {
        if (random.nextInt(6) == 0) {
            return mutateText(pick(List.of("{}", "[]", "null", "{\"a\":1,\"b\":2}")));
        }
        StringBuilder out = new StringBuilder("{");
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('"').append(pick(List.of("a", "b", "after", "nums", "payload", "msg", "first", "last", "x"))).append("\":")
                    .append(jsonValue());
        }
        return out.append('}').toString();
    }

    private String body(String table) {
        if (random.nextInt(8) == 0) {
            return mutateText(pick(List.of("{}", "[]", "[{}]", "{\"name\":\"x\"}", "[{\"a\":1},{\"b\":2}]", "", "nul", "\"s\"", "5")));
        }
        List<String> columns = COLUMNS.getOrDefault(table, List.of("id"));
        int rows = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
        StringBuilder out = new StringBuilder(rows > 1 ? "[" : "");
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                out.append(',');
            }
            out.append('{');
            int fields = random.nextInt(4) + (r == 0 ? 1 : 0);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    out.append(',');
                }
                String column = random.nextInt(12) == 0 ? "nope" : pick(columns);
                out.append('"').append(column).append("\":").append(jsonValue());
            }
            out.append('}');
        }
        return out.append(rows > 1 ? "]" : "").toString();
    }

    private String jsonValue() {
        return pick(List.of("1", "-7", "2.5", "1e400", "\"x\"", "\"\"", "null", "true", "[1,2]", "[\"a\",\"b\"]",
                "{\"budget\":3}", "\"2020-01-01\"", "\"[1,3)\"", "\"{a,b}\"", "\"\\u0000\"", "\"日本\"", "{\"deep\":{\"er\":[{}]}}",
                "" + random.nextInt(1000), "\"" + random.nextInt(100000) + "\"", "\"X" + random.nextInt(50) + "\""));
    }

    private String maybeMutate(String text) {
        return random.nextInt(10) == 0 ? mutateText(text) : text;
    }

    private String mutateText(String text) {
        StringBuilder out = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = out.isEmpty() ? 0 : random.nextInt(out.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> out.insert(at, pick(NASTY));
                case 1 -> {
                    if (!out.isEmpty() && at < out.length()) {
                        out.deleteCharAt(at);
                    }
                }
                case 2 -> out.insert(at, out.substring(0, Math.min(out.length(), random.nextInt(8))));
                default -> {
                    if (out.length() > 1 && at < out.length() - 1) {
                        char c = out.charAt(at);
                        out.setCharAt(at, out.charAt(at + 1));
                        out.setCharAt(at + 1, c);
                    }
                }
            }
        }
        return out.toString();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** URLSearchParams-style encoding, as postgrest-js sends values. */
    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' || c == '-'
                    || c == '.' || c == '_') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    static String encodePath(String segment) {
        return encode(segment).replace("+", "%20");
    }

}
