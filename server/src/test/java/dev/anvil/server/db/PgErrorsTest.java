package dev.anvil.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.stream.Stream;

import dev.anvil.server.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one SQLSTATE → InsForge error mapping every InsForge-shaped route uses (contract §9, plus the
 * classes Anvil answers with 400 instead of InsForge's 500), one row per rule.
 */
class PgErrorsTest {

    static Stream<Arguments> table() {
        return Stream.of(
                // the contract's table
                Arguments.of("23505", "unique_violation", 409, "DATABASE_DUPLICATE"),
                Arguments.of("23503", "foreign_key_violation", 400, "DATABASE_CONSTRAINT_VIOLATION"),
                Arguments.of("23502", "not_null_violation", 400, "MISSING_FIELD"),
                Arguments.of("42P01", "undefined_table", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("42701", "duplicate_column", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("42703", "undefined_column", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("42830", "invalid_foreign_key", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("42804", "datatype_mismatch", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("42501", "insufficient_privilege (RLS)", 403, "FORBIDDEN"),
                Arguments.of("57014", "query_canceled (statement timeout)", 408, "DATABASE_INTERNAL_ERROR"),
                // by class: the request cannot be done, the server is fine
                Arguments.of("42601", "syntax_error", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("23514", "check_violation", 400, "DATABASE_CONSTRAINT_VIOLATION"),
                Arguments.of("23P01", "exclusion_violation", 400, "DATABASE_CONSTRAINT_VIOLATION"),
                Arguments.of("22P02", "invalid_text_representation", 400, "INVALID_INPUT"),
                Arguments.of("22012", "division_by_zero", 400, "INVALID_INPUT"),
                Arguments.of("P0001", "raise_exception", 400, "DATABASE_INVALID_PARAMETER"),
                Arguments.of("P0002", "no_data_found", 400, "DATABASE_INVALID_PARAMETER"),
                Arguments.of("2BP01", "dependent_objects_still_exist", 400, "DATABASE_CONSTRAINT_VIOLATION"),
                Arguments.of("0A000", "feature_not_supported", 400, "INVALID_INPUT"),
                Arguments.of("21000", "cardinality_violation", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("25006", "read_only_sql_transaction", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("25P02", "in_failed_sql_transaction", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("2F005", "function_executed_no_return_statement", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("38001", "containing_sql_not_permitted", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("39P01", "trigger_protocol_violated", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("3D000", "invalid_catalog_name", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("3F000", "invalid_schema_name", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("44000", "with_check_option_violation", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("54001", "statement_too_complex", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("55006", "object_in_use", 400, "DATABASE_VALIDATION_ERROR"),
                Arguments.of("55P03", "lock_not_available", 400, "DATABASE_VALIDATION_ERROR"),
                // the server's fault, or nobody's the client can fix
                Arguments.of("08006", "connection_failure", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of("53300", "too_many_connections", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of("57P01", "admin_shutdown", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of("XX000", "internal_error", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of("40001", "serialization_failure", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of(null, "no SQLSTATE", 500, "DATABASE_INTERNAL_ERROR"),
                Arguments.of("4", "a one-character SQLSTATE", 500, "DATABASE_INTERNAL_ERROR"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @MethodSource("table")
    void eachSqlStateAnswersTheSameOnEveryRoute(String state, String name, int status, String code) {
        ApiException mapped = PgErrors.toApiException(new SQLException("ERROR: " + name + "\n  Where: SQL statement", state));

        assertThat(mapped.status()).isEqualTo(status);
        assertThat(mapped.code()).isEqualTo(code);
    }

    @Test
    void theMessageIsThePartAClientCanActOn() {
        ApiException mapped = PgErrors.toApiException(new SQLException(
                "ERROR: duplicate key value violates unique constraint \"t_pkey\"\n  Detail: Key (id)=(1) already exists.", "23505"));
        assertThat(mapped.getMessage()).isEqualTo("duplicate key value violates unique constraint \"t_pkey\"");
        assertThat(PgErrors.toApiException(new SQLException(null, "XX000")).getMessage()).isEqualTo("Database error");
    }

    @Test
    void theTimeoutKeepsItsOwnMessageAndHintsSayWhatToDo() {
        assertThat(PgErrors.toApiException(new SQLException("ERROR: canceling statement due to statement timeout", "57014")))
                .satisfies(e -> assertThat(e.getMessage()).startsWith("Query timeout"))
                .satisfies(e -> assertThat(e.nextActions()).isNotBlank());
        assertThat(PgErrors.toApiException(new SQLException("ERROR: permission denied for table t", "42501")).nextActions())
                .contains("row-level security");
        assertThat(PgErrors.toApiException(new SQLException("ERROR: cannot drop table t because other objects depend on it",
                "2BP01")).nextActions()).contains("depend on it");
    }
}
