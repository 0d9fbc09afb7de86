package dev.anvil.server.realtime;

import java.util.List;

import dev.anvil.server.config.Setting;

/** Settings of the realtime endpoint (Socket.IO), its delivery, presence and webhooks. */
public final class RealtimeSettings {

    public static final Setting MAX_PAYLOAD_BYTES = Setting.of("ANVIL_REALTIME_MAX_PAYLOAD_BYTES", "1000000",
            "Largest Socket.IO message a client may send, in bytes (Socket.IO's maxHttpBufferSize); larger ones close the socket");
    public static final Setting RATE_LIMIT = Setting.of("ANVIL_REALTIME_RATE_LIMIT", "100",
            "Events per second one socket may send (bursts up to twice that; 0 = unlimited); excess events get realtime:error, sustained floods close the socket");
    public static final Setting PING_INTERVAL_MS = Setting.of("ANVIL_REALTIME_PING_INTERVAL_MS", "25000",
            "Engine.IO ping interval in milliseconds");
    public static final Setting PING_TIMEOUT_MS = Setting.of("ANVIL_REALTIME_PING_TIMEOUT_MS", "20000",
            "Engine.IO ping timeout in milliseconds: a socket that does not answer a ping in time is closed");
    public static final Setting PRESENCE_HEARTBEAT_MS = Setting.of("ANVIL_REALTIME_PRESENCE_HEARTBEAT_MS", "5000",
            "How often a server renews its presence heartbeat; a server silent for 3 heartbeats (at least 15 s) is presumed dead and its members leave");
    public static final Setting WEBHOOK_ALLOW_PRIVATE = Setting.of("ANVIL_REALTIME_WEBHOOK_ALLOW_PRIVATE", "false",
            "Allow channel webhooks to loopback, link-local and private addresses (refused by default against SSRF)");
    public static final Setting WEBHOOK_TIMEOUT_MS = Setting.of("ANVIL_REALTIME_WEBHOOK_TIMEOUT_MS", "10000",
            "Timeout of one webhook POST in milliseconds (network errors are retried twice)");
    public static final Setting RETENTION_SWEEP_SECONDS = Setting.of("ANVIL_REALTIME_RETENTION_SWEEP_SECONDS", "3600",
            "How often stored realtime messages older than the configured retention are deleted");

    public static final List<Setting> ALL = List.of(MAX_PAYLOAD_BYTES, RATE_LIMIT, PING_INTERVAL_MS, PING_TIMEOUT_MS,
            PRESENCE_HEARTBEAT_MS, WEBHOOK_ALLOW_PRIVATE, WEBHOOK_TIMEOUT_MS, RETENTION_SWEEP_SECONDS);

    private RealtimeSettings() {
    }
}
