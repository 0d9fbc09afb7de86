package bench;

import io.helidon.webserver.WebServer;

/** Hello world on Helidon SE: the floor for "JVM + Helidon up and answering". */
public final class Hello {
    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "7131"));
        WebServer.builder().port(port).routing(r -> r.get("/health", (req, res) -> res.send("ok"))).build().start();
    }
}
