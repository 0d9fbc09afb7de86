package dev.anvil.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** InsForge's error body: {@code {error, message, statusCode, nextActions?}} ({@code nextActions} absent when unset). */
public final class ErrorBody {

    private ErrorBody() {
    }

    public static ObjectNode of(int status, String code, String message, String nextActions) {
        ObjectNode body = Json.object();
        body.put("error", code);
        body.put("message", message);
        body.put("statusCode", status);
        if (nextActions != null) {
            body.put("nextActions", nextActions);
        }
        return body;
    }

    public static ObjectNode of(ApiException e) {
        return of(e.status(), e.code(), e.getMessage(), e.nextActions());
    }

    public static byte[] bytes(int status, String code, String message, String nextActions) {
        return Json.bytes(of(status, code, message, nextActions));
    }
}
