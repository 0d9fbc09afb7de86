package dev.anvil.server.records.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.Syntax.Compare;
import dev.anvil.server.records.parse.Syntax.ColumnItem;
import dev.anvil.server.records.parse.Syntax.EmbedItem;
import dev.anvil.server.records.parse.Syntax.Field;
import dev.anvil.server.records.parse.Syntax.Filter;
import dev.anvil.server.records.parse.Syntax.FtsKind;
import dev.anvil.server.records.parse.Syntax.FullText;
import dev.anvil.server.records.parse.Syntax.InList;
import dev.anvil.server.records.parse.Syntax.Is;
import dev.anvil.server.records.parse.Syntax.IsDistinct;
import dev.anvil.server.records.parse.Syntax.IsValue;
import dev.anvil.server.records.parse.Syntax.JoinType;
import dev.anvil.server.records.parse.Syntax.JsonStep;
import dev.anvil.server.records.parse.Syntax.LogicGroup;
import dev.anvil.server.records.parse.Syntax.LogicLeaf;
import dev.anvil.server.records.parse.Syntax.LogicTree;
import dev.anvil.server.records.parse.Syntax.OpExpr;
import dev.anvil.server.records.parse.Syntax.Operation;
import dev.anvil.server.records.parse.Syntax.Operator;
import dev.anvil.server.records.parse.Syntax.OrderTerm;
import dev.anvil.server.records.parse.Syntax.Quantifier;
import dev.anvil.server.records.parse.Syntax.SelectItem;

/**
 * A recursive-descent parser for PostgREST's query grammar: {@code select}, filter values, filter
 * keys (embed paths and JSON paths), {@code order}, {@code or}/{@code and} trees and column lists.
 * Failures are PGRST100 with PostgREST's message shape
 * {@code "failed to parse select parameter (…)" (line 1, column N)} and an {@code unexpected …}
 * detail.
 */
public final class Grammar {

    /** Nesting deeper than this (embeds in embeds, groups in groups) is refused rather than risked. */
    static final int MAX_DEPTH = 32;

    private final String input;
    private final String what;
    private int pos;
    private int depth;

    private Grammar(String input, String what) {
        this.input = input;
        this.what = what;
    }

    // ---- entry points ----------------------------------------------------------------------------

    /** {@code select=}; an empty value selects no columns (rows become {@code {}}). */
    public static List<SelectItem> select(String value) {
        if (value.isBlank()) {
            return List.of();
        }
        Grammar g = new Grammar(value, "select parameter");
        List<SelectItem> items = g.forest();
        g.expectEnd();
        return items;
    }

    /** The value side of a filter: {@code eq.5}, {@code not.in.(1,2)}, {@code fts(english).cat} … */
    public static OpExpr filterValue(String value) {
        Grammar g = new Grammar(value, "filter");
        OpExpr expr = g.opExpr(false);
        g.expectEnd();
        return expr;
    }

    /** A filter or order key: an embed path and a field, {@code clients.projects.name} or {@code data->a}. */
    public static KeyPath keyPath(String key) {
        if (isPlainName(key)) {
            return new KeyPath(List.of(), new Field(key, List.of()));
        }
        Grammar g = new Grammar(key, "tree path");
        List<String> names = new ArrayList<>();
        names.add(g.fieldName());
        while (g.peek('.')) {
            g.pos++;
            names.add(g.fieldName());
        }
        List<JsonStep> json = g.jsonPath();
        g.expectEnd();
        return new KeyPath(List.copyOf(names.subList(0, names.size() - 1)),
                new Field(names.get(names.size() - 1), json));
    }

    /** {@code order=a.desc.nullslast,b,client(name).asc}. */
    public static List<OrderTerm> order(String value) {
        Grammar g = new Grammar(value, "order");
        List<OrderTerm> terms = new ArrayList<>();
        do {
            g.spaces();
            terms.add(g.orderTerm());
            g.spaces();
        } while (g.accept(","));
        g.expectEnd();
        return terms;
    }

    /**
     * An {@code or}/{@code and} tree; {@code operator} is the key's last part ({@code or},
     * {@code and}, or {@code not.or}, {@code not.and}).
     */
    public static LogicTree logic(String operator, String value) {
        Grammar g = new Grammar(operator + value, "logic tree");
        LogicTree tree = g.logicTree();
        g.expectEnd();
        return tree;
    }

    /** {@code columns=} and {@code on_conflict=}: field names separated by commas. */
    public static List<String> columnList(String value, String what) {
        Grammar g = new Grammar(value, what + " parameter");
        List<String> names = new ArrayList<>();
        do {
            g.spaces();
            names.add(g.fieldName());
            g.spaces();
        } while (g.accept(","));
        g.expectEnd();
        return names;
    }

    /** An embed path and the field at its end. */
    public record KeyPath(List<String> embedPath, Field field) {
    }

    /** A bare column name (the common case), which needs no parsing. */
    private static boolean isPlainName(String key) {
        if (key.isEmpty() || key.charAt(0) == ' ' || key.charAt(key.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '$')) {
                return false;
            }
        }
        return true;
    }

    // ---- select ----------------------------------------------------------------------------------

    private List<SelectItem> forest() {
        List<SelectItem> items = new ArrayList<>();
        do {
            spaces();
            items.add(tree());
            spaces();
        } while (accept(","));
        return items;
    }

    private SelectItem tree() {
        int start = pos;
        if (input.startsWith("...", pos)) {
            pos += 3;
            String name = fieldName();
            String[] params = embedParams();
            if (peek('(')) {
                return embed(name, null, params, true);
            }
            pos = start;
            throw fail("\"(\"");
        }
        // alias:name(…) / name!hint(…) — try as an embed first, fall back to a column.
        String alias = null;
        String name;
        if (startsFieldName()) {
            String first = fieldName();
            if (peek(':') && !input.startsWith("::", pos)) {
                pos++;
                alias = first;
                if (!startsFieldName()) {
                    if (peek('*')) {
                        throw fail("field name (* or [a..z0..9_$])");
                    }
                    throw fail("field name (* or [a..z0..9_$])");
                }
                name = fieldName();
            } else {
                name = first;
            }
            if (peek('!') || peek('(')) {
                String[] params = embedParams();
                if (peek('(')) {
                    return embed(name, alias, params, false);
                }
                throw fail("\"(\"");
            }
            pos = start;
        }
        return column();
    }

    private EmbedItem embed(String name, String alias, String[] params, boolean spread) {
        if (++depth > MAX_DEPTH) {
            throw failWith("nesting deeper than " + MAX_DEPTH + " levels");
        }
        expect('(');
        spaces();
        List<SelectItem> children = peek(')') ? List.of() : forest();
        spaces();
        expect(')');
        depth--;
        JoinType join = params[1] == null ? null : JoinType.valueOf(params[1]);
        return new EmbedItem(name, alias, params[0], join, spread, List.copyOf(children));
    }

    /** {@code !hint}, {@code !inner}, {@code !left} in either order; returns {hint, join}. */
    private String[] embedParams() {
        String hint = null;
        String join = null;
        for (int i = 0; i < 2 && peek('!'); i++) {
            pos++;
            String value = fieldName();
            if (value.equals("inner") && join == null) {
                join = "INNER";
            } else if (value.equals("left") && join == null) {
                join = "LEFT";
            } else if (hint == null) {
                hint = value;
            } else {
                throw fail("\"(\"");
            }
        }
        return new String[] {hint, join};
    }

    private ColumnItem column() {
        spaces();
        if (peek('*')) {
            pos++;
            spaces();
            selectEnd();
            return new ColumnItem(new Field("*", List.of()), null, null);
        }
        String alias = null;
        int start = pos;
        String first = fieldName();
        if (peek(':') && !input.startsWith("::", pos)) {
            pos++;
            alias = first;
        } else {
            pos = start;
        }
        Field field = field();
        String cast = null;
        if (accept("::")) {
            cast = identifier();
        }
        spaces();
        selectEnd();
        if (field.isStar() && (alias != null || cast != null)) {
            throw fail("\",\" or end of input");
        }
        return new ColumnItem(field, alias, cast);
    }

    private void selectEnd() {
        if (pos < input.length() && input.charAt(pos) != ',' && input.charAt(pos) != ')') {
            if (input.charAt(pos) == '(') {
                throw PgrstError.aggregates();
            }
            throw fail("\",\", \")\" or end of input");
        }
    }

    // ---- fields ----------------------------------------------------------------------------------

    private Field field() {
        spaces();
        String name = fieldName();
        List<JsonStep> path = jsonPath();
        spaces();
        return new Field(name, path);
    }

    private List<JsonStep> jsonPath() {
        List<JsonStep> steps = new ArrayList<>();
        while (input.startsWith("->", pos)) {
            boolean asText = input.startsWith("->>", pos);
            pos += asText ? 3 : 2;
            int start = pos;
            Integer index = jsonIndex();
            if (index != null) {
                steps.add(new JsonStep(asText, null, index));
            } else {
                pos = start;
                steps.add(new JsonStep(asText, fieldName(), null));
            }
        }
        return List.copyOf(steps);
    }

    /** {@code ->0}, {@code ->-1}: digits followed by the end of the path; null (nothing consumed) otherwise. */
    private Integer jsonIndex() {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        int digits = pos;
        while (pos < input.length() && Character.isDigit(input.charAt(pos))) {
            pos++;
        }
        boolean ends = pos == input.length() || input.startsWith("->", pos) || input.startsWith("::", pos)
                || peek('.') || peek(',') || peek(')');
        if (pos == digits || !ends || pos - digits > 9) {
            pos = start;
            return null;
        }
        return Integer.parseInt(input.substring(start, pos));
    }

    private boolean startsFieldName() {
        if (pos >= input.length()) {
            return false;
        }
        char c = input.charAt(pos);
        return c == '"' || isIdentifierChar(c);
    }

    /** A quoted name ({@code "a,b"}, backslash escapes) or identifier characters joined by single dashes. */
    private String fieldName() {
        if (peek('"')) {
            return quoted();
        }
        StringBuilder name = new StringBuilder();
        while (true) {
            int start = pos;
            while (pos < input.length() && isIdentifierChar(input.charAt(pos))) {
                pos++;
            }
            if (pos == start) {
                throw fail("field name (* or [a..z0..9_$])");
            }
            name.append(input, start, pos);
            if (peek('-') && !input.startsWith("->", pos)) {
                pos++;
                name.append('-');
                continue;
            }
            break;
        }
        String stripped = name.toString().strip();
        if (stripped.isEmpty()) {
            throw fail("field name (* or [a..z0..9_$])");
        }
        return stripped;
    }

    private String quoted() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= input.length()) {
                throw fail("\"\\\"\"");
            }
            char c = input.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                if (pos >= input.length()) {
                    throw fail("any character");
                }
                c = input.charAt(pos++);
            }
            out.append(c);
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < input.length() && isIdentifierChar(input.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw fail("letter or digit");
        }
        return input.substring(start, pos).strip();
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == ' ';
    }

    // ---- filters ---------------------------------------------------------------------------------

    /** @param inLogic values end at {@code ,} or {@code )} inside {@code or=(…)} */
    private OpExpr opExpr(boolean inLogic) {
        boolean negated = false;
        if (input.startsWith("not.", pos)) {
            negated = true;
            pos += 4;
        }
        return new OpExpr(negated, operation(inLogic));
    }

    private Operation operation(boolean inLogic) {
        int start = pos;
        int dot = input.indexOf('.', pos);
        int paren = input.indexOf('(', pos);
        int end = dot < 0 ? input.length() : dot;
        String token = input.substring(pos, paren >= 0 && paren < end ? paren : end);
        switch (token) {
            case "in" -> {
                pos += 2;
                expect('.');
                return new InList(listValue());
            }
            case "is" -> {
                pos += 2;
                expect('.');
                return new Is(isValue());
            }
            case "isdistinct" -> {
                pos += token.length();
                expect('.');
                return new IsDistinct(value(inLogic));
            }
            default -> {
                // handled below
            }
        }
        FtsKind fts = FtsKind.of(token);
        if (fts != null) {
            pos += token.length();
            String config = null;
            if (peek('(')) {
                pos++;
                config = identifier();
                expect(')');
            }
            expect('.');
            return new FullText(fts, config, value(inLogic));
        }
        Operator operator = Operator.of(token);
        if (operator == null) {
            pos = start;
            throw failWith(token.isEmpty() ? "operator (eq, gt, ...)" : "unknown single value operator " + token);
        }
        pos += token.length();
        Quantifier quantifier = Quantifier.NONE;
        if (peek('(')) {
            if (!operator.quantifiable()) {
                throw fail("delimiter (.)");
            }
            if (accept("(any)")) {
                quantifier = Quantifier.ANY;
            } else if (accept("(all)")) {
                quantifier = Quantifier.ALL;
            } else {
                throw fail("\"(any)\" or \"(all)\"");
            }
        }
        expect('.');
        return new Compare(operator, quantifier, value(inLogic));
    }

    private String value(boolean inLogic) {
        if (!inLogic) {
            String rest = input.substring(pos);
            pos = input.length();
            return rest;
        }
        int start = pos;
        if (peek('"')) {
            String quoted = quoted();
            if (pos >= input.length() || peek(',') || peek(')')) {
                return quoted;
            }
            pos = start;
        }
        if (peek('{')) {
            int close = input.indexOf('}', pos);
            int nestedOpen = input.indexOf('{', pos + 1);
            if (close > 0 && (nestedOpen < 0 || nestedOpen > close)) {
                pos = close + 1;
                return input.substring(start, pos);
            }
        }
        while (pos < input.length() && input.charAt(pos) != ',' && input.charAt(pos) != ')') {
            pos++;
        }
        return input.substring(start, pos);
    }

    private List<String> listValue() {
        spaces();
        expect('(');
        spaces();
        List<String> values = new ArrayList<>();
        if (peek(')')) {
            pos++;
            spaces();
            return List.of();
        }
        do {
            int start = pos;
            String element = null;
            if (peek('"')) {
                String quoted = quoted();
                if (peek(',') || peek(')')) {
                    element = quoted;
                } else {
                    pos = start;
                }
            }
            if (element == null) {
                while (pos < input.length() && input.charAt(pos) != ',' && input.charAt(pos) != ')') {
                    pos++;
                }
                element = input.substring(start, pos);
            }
            values.add(element);
        } while (accept(","));
        spaces();
        expect(')');
        spaces();
        return List.copyOf(values);
    }

    private IsValue isValue() {
        int end = pos;
        while (end < input.length() && (Character.isLetter(input.charAt(end)) || input.charAt(end) == '_')) {
            end++;
        }
        String word = input.substring(pos, end).toLowerCase(Locale.ROOT);
        IsValue value = switch (word) {
            case "null" -> IsValue.NULL;
            case "not_null" -> IsValue.NOT_NULL;
            case "true" -> IsValue.TRUE;
            case "false" -> IsValue.FALSE;
            case "unknown" -> IsValue.UNKNOWN;
            default -> null;
        };
        if (value == null) {
            throw fail("null or trilean value (unknown, true, false)");
        }
        pos = end;
        return value;
    }

    // ---- logic trees ---------------------------------------------------------------------------

    private LogicTree logicTree() {
        int start = pos;
        // A filter first (a column may be called "or"); then a group.
        if (!input.startsWith("not.and(", pos) && !input.startsWith("not.or(", pos)
                && !input.startsWith("and(", pos) && !input.startsWith("or(", pos)) {
            Field field = field();
            expect('.');
            return new LogicLeaf(new Filter(field, opExpr(true)));
        }
        boolean negated = false;
        if (input.startsWith("not.", pos)) {
            negated = true;
            pos += 4;
        }
        boolean and;
        if (accept("and")) {
            and = true;
        } else if (accept("or")) {
            and = false;
        } else {
            pos = start;
            throw fail("logic operator (and, or)");
        }
        spaces();
        if (++depth > MAX_DEPTH) {
            throw failWith("nesting deeper than " + MAX_DEPTH + " levels");
        }
        expect('(');
        List<LogicTree> children = new ArrayList<>();
        do {
            spaces();
            children.add(logicTree());
            spaces();
        } while (accept(","));
        expect(')');
        spaces();
        depth--;
        return new LogicGroup(and, negated, List.copyOf(children));
    }

    // ---- order ---------------------------------------------------------------------------------

    private OrderTerm orderTerm() {
        int start = pos;
        String relation = null;
        Field field;
        String name = fieldName();
        if (peek('(')) {
            pos++;
            relation = name;
            field = field();
            expect(')');
        } else {
            pos = start;
            field = field();
        }
        Boolean descending = null;
        Boolean nullsFirst = null;
        if (accept(".asc")) {
            descending = false;
        } else if (accept(".desc")) {
            descending = true;
        }
        if (accept(".nullsfirst")) {
            nullsFirst = true;
        } else if (accept(".nullslast")) {
            nullsFirst = false;
        }
        spaces();
        if (pos < input.length() && !peek(',')) {
            throw fail(descending == null && nullsFirst == null ? "\"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""
                    : "\",\" or end of input");
        }
        return new OrderTerm(relation, field, descending, nullsFirst);
    }

    // ---- cursor helpers ------------------------------------------------------------------------

    private boolean peek(char c) {
        return pos < input.length() && input.charAt(pos) == c;
    }

    private boolean accept(String token) {
        if (input.startsWith(token, pos)) {
            pos += token.length();
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw fail("\"" + c + "\"");
        }
        pos++;
    }

    private void spaces() {
        while (pos < input.length() && (input.charAt(pos) == ' ' || input.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void expectEnd() {
        if (pos != input.length()) {
            throw fail("end of input");
        }
    }

    private PgrstError fail(String expecting) {
        String unexpected = pos >= input.length() ? "end of input" : "\"" + input.charAt(pos) + "\"";
        return failWith("unexpected " + unexpected + " expecting " + expecting);
    }

    private PgrstError failWith(String details) {
        return PgrstError.queryParam("\"failed to parse " + what + " (" + input + ")\" (line 1, column " + (pos + 1) + ")",
                details);
    }
}
