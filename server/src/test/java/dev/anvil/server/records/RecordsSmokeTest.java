package dev.anvil.server.records;

import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RecordsSmokeTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("records_smoke");
        FilmsDatabase.create(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void smoke() {
        String[] paths = {
                "/api/database/records/films?select=id,title&order=id",
                "/api/database/records/films?select=title,directors(last_name)&id=lt.3",
                "/api/database/records/directors?select=last_name,films(title)&order=id",
                "/api/database/records/films?select=title,actors(first_name)&id=eq.2",
                "/api/database/records/films?select=title,technical_specs(camera)&id=eq.1",
                "/api/database/records/films?select=title,...directors(last_name)&id=eq.1",
                "/api/database/records/films?select=title,directors!inner(last_name)&directors.last_name=eq.Nolan",
                "/api/database/records/films?or=(year.gt.2015,rating.lt.8)&select=title",
                "/api/database/records/films?select=title,meta->studio->>name&meta->>budget=eq.9",
                "/api/database/records/films?tags=cs.{thriller}&select=title",
                "/api/database/records/films?title=in.(Memento,Parasite)&select=id",
                "/api/database/records/films?title=like.*ce*&select=id",
                "/api/database/records/documents?tsv=fts(english).fox&select=body",
                "/api/database/records/films?select=title&order=year.desc.nullslast&limit=2&offset=1",
                "/api/database/records/orders?select=name,addresses(city)",
                "/api/database/rpc/add?a=1&b=2",
                "/api/database/rpc/films_after?after=2010&select=title",
                "/api/database/rpc/years",
                "/api/database/rpc/best_film",
                "/api/database/rpc/stats",
        };
        for (String path : paths) {
            var reply = server.get(Urls.of(path)).bearer(server.apiKey()).header("Prefer", "count=exact").send();
            System.out.println(path + "\n  -> " + reply.status() + " " + reply.headers().get("content-range") + " " + reply.text());
        }
        var post = server.post("/api/database/records/items?select=id,name").bearer(server.apiKey())
                .header("Prefer", "return=representation").json("{\"name\":\"x\",\"price\":\"\"}").send();
        System.out.println("POST -> " + post.status() + " " + post.headers() + " " + post.text());
        var post2 = server.post("/api/database/records/items").bearer(server.apiKey())
                .json("[{\"name\":\"y\"},{\"name\":\"z\"}]").send();
        System.out.println("POST2 -> " + post2.status() + " " + post2.headers() + " " + post2.text());
        var patch = server.call("PATCH", "/api/database/records/items?name=eq.y").bearer(server.apiKey())
                .header("Prefer", "return=representation").json("{\"qty\":5}").send();
        System.out.println("PATCH -> " + patch.status() + " " + patch.text());
        var del = server.call("DELETE", "/api/database/records/items?name=eq.z").bearer(server.apiKey()).send();
        System.out.println("DELETE -> " + del.status() + " " + del.headers() + " " + del.text());
        var rpc = server.post("/api/database/rpc/add").bearer(server.apiKey()).json("{\"a\":3,\"b\":4}").send();
        System.out.println("RPC -> " + rpc.status() + " " + rpc.text());
    }
}
