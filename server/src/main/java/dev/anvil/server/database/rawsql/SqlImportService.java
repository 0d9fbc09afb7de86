package dev.anvil.server.database.rawsql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.bulk.BulkUploadForm;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.BodyLimit;
import dev.anvil.server.http.Json;
import dev.anvil.server.platform.AuditLog;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/database/advance/import} (contract §3.5), admin only: multipart {@code file} (a
 * .sql or .txt script) and {@code truncate} ("true"/"false"). The script runs as raw SQL does — same
 * guard, {@code project_admin}, timeout and error mapping — but statement by statement inside one
 * transaction, so a failing statement leaves the database as it was. With {@code truncate}, the
 * tables the script creates or inserts into that already exist are emptied first, in one
 * {@code TRUNCATE} (without CASCADE: a table the script does not name is never emptied behind the
 * caller's back — a foreign key from one refuses the import instead).
 */
public final class SqlImportService implements HttpService {

    private final Credentials credentials;
    private final RawSqlExecutor executor;

    public SqlImportService(Credentials credentials, RawSqlExecutor executor) {
        this.credentials = credentials;
        this.executor = executor;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::importFile);
    }

    private void importFile(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        String filename;
        long fileSize;
        String sql;
        boolean truncate;
        try (BulkUploadForm form = BulkUploadForm.read(contentType, req.content().inputStream(), "file", BodyLimit.of(req).maxBytes())) {
            BulkUploadForm.UploadedFile file = form.file()
                    .orElseThrow(() -> ApiException.invalidInput("file: No SQL file provided"));
            filename = file.filename();
            String lower = filename.toLowerCase(Locale.ROOT);
            if (!lower.endsWith(".sql") && !lower.endsWith(".txt")) {
                throw ApiException.invalidInput("Only .sql/.txt files are allowed");
            }
            truncate = truncateFlag(form.field("truncate").orElse("false"));
            try {
                fileSize = Files.size(file.spooled().path());
                sql = Files.readString(file.spooled().path(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw ApiException.invalidInput("Failed to read the uploaded file: " + e.getMessage());
            }
        }
        SqlScript script = SqlScript.parse(sql);
        long[] counts = executor.executeScript(connection -> {
            if (truncate) {
                truncateExisting(connection, script.tables());
            }
            return null;
        }, script.statements(), script.changesSchema());
        long rowsImported = 0;
        for (int i = 0; i < counts.length; i++) {
            if (script.inserts().get(i) && counts[i] > 0) {
                rowsImported += counts[i];
            }
        }
        ArrayNode tables = Json.mapper().createArrayNode();
        script.tables().forEach(table -> tables.add(table.display()));
        ObjectNode body = Json.object();
        body.put("success", true);
        body.put("message", "SQL file imported successfully");
        body.put("filename", filename);
        body.set("tables", tables);
        body.put("rowsImported", rowsImported);
        body.put("fileSize", fileSize);
        AuditLog.record(req, "IMPORT_DATABASE", "DATABASE", Json.object()
                .put("filename", filename)
                .put("fileSize", fileSize)
                .put("truncate", truncate)
                .put("statements", counts.length)
                .put("rowsImported", rowsImported)
                .set("tables", tables.deepCopy()));
        Json.send(res, body);
    }

    private static boolean truncateFlag(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false", "" -> false;
            default -> throw ApiException.invalidInput("truncate: Expected 'true' or 'false', received '" + value + "'");
        };
    }

    private static void truncateExisting(Connection connection, List<SqlScript.Table> tables) throws SQLException {
        List<String> existing = new ArrayList<>();
        try (PreparedStatement lookup = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            for (SqlScript.Table table : tables) {
                lookup.setString(1, table.qualified());
                try (ResultSet row = lookup.executeQuery()) {
                    if (row.next() && row.getBoolean(1)) {
                        existing.add(table.qualified());
                    }
                }
            }
        }
        if (!existing.isEmpty()) {
            try (Statement truncate = connection.createStatement()) {
                truncate.execute("TRUNCATE TABLE " + String.join(", ", existing));
            }
        }
    }
}
