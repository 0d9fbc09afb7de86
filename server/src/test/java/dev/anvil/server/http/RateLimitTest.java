package dev.anvil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import dev.anvil.server.testing.HttpCall;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared limiter on its own: fixed windows per key, both counting modes, headers, rule parsing. */
class RateLimitTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    TestClock clock = new TestClock();
    RateLimit limit = new RateLimit("probe", new RateLimit.Rule(2, Duration.ofSeconds(60)), "slow down", clock);
    WebServer probe;

    @BeforeEach
    void start() {
        probe = WebServer.builder().host("127.0.0.1").port(0).routing(routing -> {
            ErrorHandling.register(routing);
            routing.get("/consume/{key}", (req, res) -> {
                limit.consume(res, req.path().pathParameters().get("key"));
                res.send("ok");
            });
            routing.get("/check/{key}", (req, res) -> {
                limit.check(res, req.path().pathParameters().get("key"));
                res.send("ok");
            });
            routing.get("/fail/{key}", (req, res) -> {
                limit.recordFailure(req.path().pathParameters().get("key"));
                res.send("counted");
            });
        }).build().start();
    }

    @AfterEach
    void stop() {
        probe.stop();
    }

    HttpCall.Reply get(String path) {
        return HttpCall.to("http://127.0.0.1:" + probe.port(), "GET", path).send();
    }

    @Test
    void consumeCountsEveryRequestPerKeyUntilTheWindowEnds() {
        HttpCall.Reply first = get("/consume/a");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("RateLimit-Remaining").orElseThrow()).isEqualTo("1");
        assertThat(first.header("RateLimit-Reset").orElseThrow()).isEqualTo("60");
        assertThat(get("/consume/a").status()).isEqualTo(200);
        HttpCall.Reply third = get("/consume/a");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.json().get("error").asText()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(third.json().get("message").asText()).isEqualTo("slow down");
        assertThat(third.header("Retry-After").orElseThrow()).isEqualTo("60");
        assertThat(get("/consume/b").status()).as("keys are independent").isEqualTo(200);

        clock.now = clock.now.plusSeconds(45);
        assertThat(get("/consume/a").header("Retry-After").orElseThrow()).isEqualTo("15");
        clock.now = clock.now.plusSeconds(15);
        assertThat(get("/consume/a").status()).as("a new window").isEqualTo(200);
    }

    @Test
    void checkOnlyRefusesOnceFailuresFillTheWindow() {
        for (int i = 0; i < 5; i++) {
            assertThat(get("/check/c").status()).isEqualTo(200);
        }
        get("/fail/c");
        assertThat(get("/check/c").header("RateLimit-Remaining").orElseThrow()).isEqualTo("1");
        get("/fail/c");
        assertThat(get("/check/c").status()).isEqualTo(429);
        clock.now = clock.now.plusSeconds(61);
        assertThat(get("/check/c").status()).isEqualTo(200);
    }

    @Test
    void rulesParseFromSettingsText() {
        assertThat(RateLimit.Rule.parse("5/900")).isEqualTo(new RateLimit.Rule(5, Duration.ofSeconds(900)));
        assertThat(RateLimit.Rule.parse(" off ").enabled()).isFalse();
        assertThat(RateLimit.Rule.parse("0").enabled()).isFalse();
        assertThat(RateLimit.Rule.parse("0/60").enabled()).isFalse();
        assertThatThrownBy(() -> RateLimit.Rule.parse("5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimit.Rule.parse("5/0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimit.Rule.parse("a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDisabledLimitNeverRefusesNorSetsHeaders() {
        RateLimit off = new RateLimit("off", RateLimit.Rule.OFF, "never", clock);
        limit = off;
        for (int i = 0; i < 5; i++) {
            HttpCall.Reply reply = get("/consume/x");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("RateLimit-Limit")).isEmpty();
        }
    }
}
