package dev.anvil.server.records.sql;

import java.util.ArrayList;
import java.util.List;

import dev.anvil.server.records.schema.QualifiedName;
import dev.anvil.server.records.schema.SqlNames;

/**
 * SQL text with its bind parameters. Values only ever enter as {@code ?} placeholders, each with an
 * explicit cast to its target type: that keeps the statement's parameter types fully known to
 * pgjdbc, which is what lets it pipeline the role/claims statement and the query in one round trip
 * (a statement with untyped parameters gets described, and pgjdbc then inserts a Sync between
 * statements — ending the implicit transaction that carries the role).
 */
public final class SqlBuilder {

    /** A bind parameter: text (sent as varchar and cast in SQL) or a bigint. */
    public sealed interface Param {
    }

    public record TextParam(String value) implements Param {
    }

    public record LongParam(long value) implements Param {
    }

    private final StringBuilder sql = new StringBuilder(1024);
    private final List<Param> params = new ArrayList<>();

    /** SQL text of our own making (keywords, operators, quoted identifiers). */
    public SqlBuilder sql(String text) {
        sql.append(text);
        return this;
    }

    public SqlBuilder sql(char c) {
        sql.append(c);
        return this;
    }

    public SqlBuilder ident(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new InvalidValueException("invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        sql.append('"');
        if (identifier.indexOf('"') < 0) {
            sql.append(identifier);
        } else {
            sql.append(identifier.replace("\"", "\"\""));
        }
        sql.append('"');
        return this;
    }

    public SqlBuilder ident(QualifiedName name) {
        sql.append(SqlNames.quote(name));
        return this;
    }

    /** {@code "alias"."column"}. */
    public SqlBuilder column(String alias, String column) {
        return ident(alias).sql('.').ident(column);
    }

    /**
     * A text value cast to {@code sqlType}: {@code ?::type}. {@code sqlType} comes from the schema
     * cache or is one of our own type names, never from the request.
     */
    public SqlBuilder value(String value, String sqlType) {
        if (value == null) {
            sql.append("NULL::").append(sqlType);
            return this;
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidValueException("invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        sql.append("?::").append(sqlType);
        params.add(new TextParam(value));
        return this;
    }

    public SqlBuilder value(long value) {
        sql.append('?');
        params.add(new LongParam(value));
        return this;
    }

    public int length() {
        return sql.length();
    }

    public String text() {
        return sql.toString();
    }

    public List<Param> params() {
        return params;
    }

    /** Appends another builder's text and parameters. */
    public SqlBuilder append(SqlBuilder other) {
        sql.append(other.sql);
        params.addAll(other.params);
        return this;
    }

    /** A value Postgres could never accept (a NUL character), refused before it is sent. */
    public static final class InvalidValueException extends RuntimeException {
        public InvalidValueException(String message) {
            super(message, null, false, false);
        }
    }
}
