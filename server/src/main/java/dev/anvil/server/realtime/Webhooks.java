package dev.anvil.server.realtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import dev.anvil.server.http.LazyHttpClient;

/**
 * Channel webhooks (contract §6.3): the bare payload is POSTed to each of the channel's
 * {@code webhook_urls} with {@code X-InsForge-Event}, {@code X-InsForge-Channel} and
 * {@code X-InsForge-Message-Id}; 10 s timeout; network errors retried twice; a 2xx counts as
 * delivered; {@code wh_audience_count} and {@code wh_delivered_count} are written back.
 *
 * <p>Every replica hears every message, but only the one that claims it
 * ({@code webhook_claimed_at}) posts, so a webhook fires once however many servers run.
 */
final class Webhooks implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());
    static final int RETRIES = 2;

    private final DataSource dataSource;
    private final WebhookTargets targets;
    private final Duration timeout;
    private final LazyHttpClient client;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    Webhooks(DataSource dataSource, WebhookTargets targets, Duration timeout) {
        this.dataSource = dataSource;
        this.targets = targets;
        this.timeout = timeout;
        // Redirects are not followed: a permitted host could otherwise bounce the call to a refused one.
        this.client = new LazyHttpClient(() -> HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(workers)
                .build());
    }

    void dispatch(String messageId, String event, String channel, String payloadJson, List<String> urls) {
        workers.execute(() -> {
            try {
                if (!claim(messageId)) {
                    return;
                }
                int delivered = 0;
                for (String url : urls) {
                    if (post(url, messageId, event, channel, payloadJson)) {
                        delivered++;
                    }
                }
                record(messageId, urls.size(), delivered);
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "Webhook bookkeeping failed for message " + messageId + ": " + e.getMessage());
            }
        });
    }

    private boolean claim(String messageId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE realtime.messages SET webhook_claimed_at = now() WHERE id = ?::uuid AND webhook_claimed_at IS NULL")) {
            statement.setString(1, messageId);
            return statement.executeUpdate() == 1;
        }
    }

    private boolean post(String url, String messageId, String event, String channel, String payloadJson) {
        Optional<String> refusal = targets.refusal(url);
        if (refusal.isPresent()) {
            LOG.log(Level.WARNING, "Webhook " + url + " refused: " + refusal.get());
            return false;
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("X-InsForge-Event", event)
                    .header("X-InsForge-Channel", channel)
                    .header("X-InsForge-Message-Id", messageId)
                    .POST(HttpRequest.BodyPublishers.ofString(payloadJson, StandardCharsets.UTF_8))
                    .build();
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "Webhook " + url + " refused: " + e.getMessage());
            return false;
        }
        for (int attempt = 0; attempt <= RETRIES; attempt++) {
            try {
                HttpResponse<Void> response = client.get().send(request, HttpResponse.BodyHandlers.discarding());
                return response.statusCode() >= 200 && response.statusCode() < 300;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "Webhook " + url + " attempt " + (attempt + 1) + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private void record(String messageId, int audience, int delivered) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE realtime.messages SET wh_audience_count = ?, wh_delivered_count = ? WHERE id = ?::uuid")) {
            statement.setInt(1, audience);
            statement.setInt(2, delivered);
            statement.setString(3, messageId);
            statement.executeUpdate();
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
