package dev.anvil.server.platform.logs;

import java.io.IOException;
import java.util.List;

/** A named stream of log lines the server can show ({@code GET /api/logs/sources}). */
public interface LogSource {

    /** The name clients ask for, e.g. {@code insforge.logs}. */
    String name();

    /** What backs the source (InsForge's {@code token}: there a file or log group). */
    String token();

    /** What the source holds right now, oldest first; bounded by the source itself. */
    List<LogEntry> entries() throws IOException;
}
