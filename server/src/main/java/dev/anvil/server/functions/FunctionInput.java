package dev.anvil.server.functions;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.server.http.ApiException;

/**
 * A create or update body for {@code /api/functions}, checked like InsForge's
 * {@code uploadFunctionRequestSchema} / {@code updateFunctionRequestSchema}. Absent fields are null;
 * on create the slug is derived from the name and the status defaults to active.
 */
record FunctionInput(String name, String slug, String code, String description, String status) {

    private static final List<String> STATUSES = List.of(FunctionStore.DRAFT, FunctionStore.ACTIVE);
    /** Functions are handlers; the runtime serves them (InsForge refuses this too). */
    private static final Pattern DENO_SERVE = Pattern.compile("Deno\\.serve\\s*\\(");

    static FunctionInput forCreate(JsonNode body) {
        ZodIssues issues = new ZodIssues();
        requireObject(body, issues);
        String name = string(body, "name", issues, true);
        if (name != null && name.isEmpty()) {
            issues.tooSmall("name", 1, "Name is required");
        }
        String slug = string(body, "slug", issues, false);
        if (slug != null) {
            checkSlug(slug, "slug", issues, FunctionSlugs.FORMAT_MESSAGE);
        }
        String code = string(body, "code", issues, true);
        if (code != null && code.isEmpty()) {
            issues.tooSmall("code", 1, "String must contain at least 1 character(s)");
        }
        String description = string(body, "description", issues, false);
        String status = status(body, issues);
        if (!issues.isEmpty()) {
            throw issues.toException();
        }
        if (slug == null) {
            slug = FunctionSlugs.fromName(name);
            checkSlug(slug, "slug", issues, FunctionSlugs.FORMAT_MESSAGE + " (derived from the name \"" + name
                    + "\"; send a slug)");
            if (!issues.isEmpty()) {
                throw issues.toException();
            }
        }
        if (FunctionSlugs.reserved(slug)) {
            throw reservedSlug(slug);
        }
        checkCode(code);
        return new FunctionInput(name, slug, code, description, status == null ? FunctionStore.ACTIVE : status);
    }

    static FunctionInput forUpdate(JsonNode body) {
        ZodIssues issues = new ZodIssues();
        requireObject(body, issues);
        String name = string(body, "name", issues, false);
        String code = string(body, "code", issues, false);
        String description = string(body, "description", issues, false);
        String status = status(body, issues);
        if (!issues.isEmpty()) {
            throw issues.toException();
        }
        if (code != null) {
            checkCode(code);
        }
        return new FunctionInput(name, null, code, description, status);
    }

    static ApiException reservedSlug(String slug) {
        return new ApiException(400, "FUNCTION_SLUG_RESERVED", "Function slug \"" + slug + "\" is reserved",
                "Choose another slug; \"health\" is used by the function runtime itself");
    }

    private static void requireObject(JsonNode body, ZodIssues issues) {
        if (!body.isObject()) {
            issues.invalidType(null, "object", body);
            throw issues.toException();
        }
    }

    private static void checkSlug(String slug, String field, ZodIssues issues, String message) {
        if (slug.length() > FunctionSlugs.MAX_LENGTH) {
            issues.tooBig(field, FunctionSlugs.MAX_LENGTH);
        } else if (!FunctionSlugs.valid(slug)) {
            issues.regex(field, message);
        }
    }

    private static void checkCode(String code) {
        if (DENO_SERVE.matcher(code).find()) {
            throw ApiException.invalidInput("Function source cannot contain Deno.serve(). Use \"export default async "
                    + "function(req: Request)\" instead; the router handles serving automatically.");
        }
    }

    /** A string field; null when absent (or JSON null, for an optional field). */
    private static String string(JsonNode body, String field, ZodIssues issues, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || (value.isNull() && !required)) {
            if (required) {
                issues.invalidType(field, "string", null);
            }
            return null;
        }
        if (!value.isTextual()) {
            issues.invalidType(field, "string", value);
            return null;
        }
        if (field.equals("name") && value.textValue().length() > FunctionSlugs.MAX_LENGTH) {
            issues.tooBig(field, FunctionSlugs.MAX_LENGTH);
        }
        return value.textValue();
    }

    private static String status(JsonNode body, ZodIssues issues) {
        JsonNode value = body.get("status");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !STATUSES.contains(value.textValue())) {
            issues.invalidEnum("status", STATUSES, value.isTextual() ? value.textValue() : value.toString());
            return null;
        }
        return value.textValue();
    }
}
