package dev.anvil.server.database.bulk;

import java.io.IOException;
import java.util.Map;

/** Records of an uploaded file, read one at a time so a large file never sits in memory. */
interface RecordSource {

    /** The next record (column name → String, or a parsed JSON value), or null at the end. */
    Map<String, Object> next() throws IOException;
}
