package dev.anvil.server.records.parse;

import java.util.List;

/**
 * The query language's syntax tree, as parsed from the URL and before anything is checked against
 * the schema cache (PostgREST's {@code ApiRequest.Types}).
 */
public final class Syntax {

    private Syntax() {
    }

    /** One step of a JSON path: {@code ->key}, {@code ->>key}, {@code ->0}. */
    public record JsonStep(boolean asText, String key, Integer index) {
    }

    /** A column, possibly followed by a JSON path. */
    public record Field(String name, List<JsonStep> path) {
        public boolean isStar() {
            return "*".equals(name) && path.isEmpty();
        }

        /** The name a JSON path result is given in the output: its last key (PostgREST's rule). */
        public String outputName() {
            if (path.isEmpty()) {
                return name;
            }
            JsonStep last = path.get(path.size() - 1);
            return last.key() != null ? last.key() : name;
        }
    }

    /** An item of {@code select}. */
    public sealed interface SelectItem {
    }

    /** A column (or {@code *}), optionally renamed and cast. */
    public record ColumnItem(Field field, String alias, String cast) implements SelectItem {
    }

    /** An embedded resource {@code alias:name!hint!inner(...)}, or a spread {@code ...name(...)}. */
    public record EmbedItem(String name, String alias, String hint, JoinType join, boolean spread,
                            List<SelectItem> children) implements SelectItem {
        /** The key the embed is referred to by in filters and in the output. */
        public String label() {
            return alias != null ? alias : name;
        }
    }

    public enum JoinType { LEFT, INNER }

    /** A filter on a field. */
    public record Filter(Field field, OpExpr expr) {
    }

    /** An operation, possibly negated with {@code not.}. */
    public record OpExpr(boolean negated, Operation operation) {
    }

    public sealed interface Operation {
    }

    /** {@code eq.5}, {@code like(any).{a*,b*}} … */
    public record Compare(Operator operator, Quantifier quantifier, String value) implements Operation {
    }

    /** {@code in.(a,b,c)}. */
    public record InList(List<String> values) implements Operation {
    }

    /** {@code is.null}, {@code is.true} … */
    public record Is(IsValue value) implements Operation {
    }

    /** {@code isdistinct.value}. */
    public record IsDistinct(String value) implements Operation {
    }

    /** {@code fts(english).value} and its plain, phrase and websearch forms. */
    public record FullText(FtsKind kind, String config, String value) implements Operation {
    }

    public enum Quantifier { NONE, ANY, ALL }

    public enum IsValue { NULL, NOT_NULL, TRUE, FALSE, UNKNOWN }

    public enum FtsKind {
        FTS("fts", "to_tsquery"), PLFTS("plfts", "plainto_tsquery"), PHFTS("phfts", "phraseto_tsquery"),
        WFTS("wfts", "websearch_to_tsquery");

        private final String token;
        private final String function;

        FtsKind(String token, String function) {
            this.token = token;
            this.function = function;
        }

        public String token() {
            return token;
        }

        public String function() {
            return function;
        }

        static FtsKind of(String token) {
            for (FtsKind kind : values()) {
                if (kind.token.equals(token)) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** The comparison operators and the SQL operator each stands for. */
    public enum Operator {
        EQ("eq", "=", true), NEQ("neq", "<>", false), GT("gt", ">", true), GTE("gte", ">=", true),
        LT("lt", "<", true), LTE("lte", "<=", true), LIKE("like", "LIKE", true), ILIKE("ilike", "ILIKE", true),
        MATCH("match", "~", true), IMATCH("imatch", "~*", true), CS("cs", "@>", false), CD("cd", "<@", false),
        OV("ov", "&&", false), SL("sl", "<<", false), SR("sr", ">>", false), NXR("nxr", "&<", false),
        NXL("nxl", "&>", false), ADJ("adj", "-|-", false);

        private final String token;
        private final String sql;
        private final boolean quantifiable;

        Operator(String token, String sql, boolean quantifiable) {
            this.token = token;
            this.sql = sql;
            this.quantifiable = quantifiable;
        }

        public String token() {
            return token;
        }

        public String sql() {
            return sql;
        }

        public boolean quantifiable() {
            return quantifiable;
        }

        public boolean isPattern() {
            return this == LIKE || this == ILIKE || this == MATCH || this == IMATCH;
        }

        static Operator of(String token) {
            for (Operator operator : values()) {
                if (operator.token.equals(token)) {
                    return operator;
                }
            }
            return null;
        }
    }

    /** A boolean tree of filters from {@code or=(…)} / {@code and=(…)}. */
    public sealed interface LogicTree {
    }

    public record LogicLeaf(Filter filter) implements LogicTree {
    }

    public record LogicGroup(boolean and, boolean negated, List<LogicTree> children) implements LogicTree {
    }

    /** An {@code order} term: a field, or a field of a to-one embed ({@code relation(field)}). */
    public record OrderTerm(String relation, Field field, Boolean descending, Boolean nullsFirst) {
    }
}
