package dev.anvil.server.database.bulk;

import java.time.Duration;

import dev.anvil.server.auth.Credentials;
import dev.anvil.server.database.Identifiers;
import dev.anvil.server.database.SchemaParameter;
import dev.anvil.server.db.RoleTransaction;
import dev.anvil.server.http.ApiException;
import dev.anvil.server.http.BodyLimit;
import dev.anvil.server.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/database/advance/bulk-upsert} (contract §3.5), admin only: multipart fields
 * {@code file} (.csv or .json), {@code table}, {@code upsertKey?}, {@code schema?} (default public).
 */
public final class BulkUpsertService implements HttpService {

    private final Credentials credentials;
    private final BulkUpsert upsert;

    public BulkUpsertService(Credentials credentials, RoleTransaction transactions, Duration statementTimeout) {
        this.credentials = credentials;
        this.upsert = new BulkUpsert(transactions, statementTimeout);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::upload);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        credentials.admin(req);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        try (BulkUploadForm form = BulkUploadForm.read(contentType, req.content().inputStream(), "file", BodyLimit.of(req).maxBytes())) {
            BulkUploadForm.UploadedFile file = form.file().orElseThrow(() -> ApiException.invalidInput("File is required"));
            String table = form.field("table").filter(t -> !t.isEmpty())
                    .orElseThrow(() -> ApiException.invalidInput("table: Table name is required"));
            Identifiers.require("table", table);
            String schema = SchemaParameter.validate(form.field("schema").map(String::strip).filter(s -> !s.isEmpty())
                    .orElse(SchemaParameter.DEFAULT));
            String upsertKey = form.field("upsertKey").filter(k -> !k.isEmpty()).orElse(null);
            if (upsertKey != null) {
                Identifiers.require("column", upsertKey);
            }
            Json.send(res, upsert.run(schema, table, upsertKey, file));
        }
    }
}
