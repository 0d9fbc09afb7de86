package dev.anvil.server.records.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.anvil.server.records.PgrstError;
import dev.anvil.server.records.parse.Syntax.ColumnItem;
import dev.anvil.server.records.parse.Syntax.Compare;
import dev.anvil.server.records.parse.Syntax.EmbedItem;
import dev.anvil.server.records.parse.Syntax.FullText;
import dev.anvil.server.records.parse.Syntax.InList;
import dev.anvil.server.records.parse.Syntax.LogicGroup;
import dev.anvil.server.records.parse.Syntax.LogicLeaf;
import dev.anvil.server.records.parse.Syntax.OpExpr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The query grammar on its own, following the examples in PostgREST's parser documentation. */
class GrammarTest {

    @Test
    void selectItems() {
        List<Syntax.SelectItem> items = Grammar.select("id,alias:name->a->>b::text,*,client:clients!fk!inner(id,projects(*)),...owner(name)");
        assertThat(items).hasSize(5);
        ColumnItem path = (ColumnItem) items.get(1);
        assertThat(path.alias()).isEqualTo("alias");
        assertThat(path.cast()).isEqualTo("text");
        assertThat(path.field().path()).extracting(Syntax.JsonStep::key).containsExactly("a", "b");
        assertThat(path.field().path().get(1).asText()).isTrue();
        EmbedItem embed = (EmbedItem) items.get(3);
        assertThat(embed.name()).isEqualTo("clients");
        assertThat(embed.alias()).isEqualTo("client");
        assertThat(embed.hint()).isEqualTo("fk");
        assertThat(embed.join()).isEqualTo(Syntax.JoinType.INNER);
        assertThat(((EmbedItem) embed.children().get(1)).name()).isEqualTo("projects");
        assertThat(((EmbedItem) items.get(4)).spread()).isTrue();
    }

    @Test
    void fieldNames() {
        assertThat(((ColumnItem) Grammar.select("identifier with spaces").get(0)).field().name()).isEqualTo("identifier with spaces");
        assertThat(((ColumnItem) Grammar.select("identifier-with-dashes").get(0)).field().name()).isEqualTo("identifier-with-dashes");
        assertThat(((ColumnItem) Grammar.select("\":\"").get(0)).field().name()).isEqualTo(":");
        assertThat(((ColumnItem) Grammar.select("\"a\\\"b\"").get(0)).field().name()).isEqualTo("a\"b");
        assertThat(((ColumnItem) Grammar.select("data->0").get(0)).field().path().get(0).index()).isEqualTo(0);
        assertThat(((ColumnItem) Grammar.select("data->-1").get(0)).field().path().get(0).index()).isEqualTo(-1);
    }

    @Test
    void filterValues() {
        OpExpr eq = Grammar.filterValue("eq.a.b.c");
        assertThat(((Compare) eq.operation()).value()).isEqualTo("a.b.c");
        OpExpr not = Grammar.filterValue("not.like(any).{a*,b*}");
        assertThat(not.negated()).isTrue();
        assertThat(((Compare) not.operation()).quantifier()).isEqualTo(Syntax.Quantifier.ANY);
        InList in = (InList) Grammar.filterValue("in.(1,\"a,b\",\"x\\\"y\",)").operation();
        assertThat(in.values()).containsExactly("1", "a,b", "x\"y", "");
        FullText fts = (FullText) Grammar.filterValue("wfts(french).amusant jeu").operation();
        assertThat(fts.kind()).isEqualTo(Syntax.FtsKind.WFTS);
        assertThat(fts.config()).isEqualTo("french");
        assertThat(fts.value()).isEqualTo("amusant jeu");
        assertThat(((Syntax.Is) Grammar.filterValue("is.NULL").operation()).value()).isEqualTo(Syntax.IsValue.NULL);
    }

    @Test
    void logicTrees() {
        LogicGroup tree = (LogicGroup) Grammar.logic("or", "(age.eq.14,not.and(age.gte.11,age.lte.17),name.in.(a,b))");
        assertThat(tree.and()).isFalse();
        assertThat(tree.children()).hasSize(3);
        LogicGroup inner = (LogicGroup) tree.children().get(1);
        assertThat(inner.and()).isTrue();
        assertThat(inner.negated()).isTrue();
        assertThat(((InList) ((LogicLeaf) tree.children().get(2)).filter().expr().operation()).values()).containsExactly("a", "b");
        LogicGroup quoted = (LogicGroup) Grammar.logic("and", "(name.eq.\"a,b\",tags.cs.{x,y})");
        assertThat(((Compare) ((LogicLeaf) quoted.children().get(0)).filter().expr().operation()).value()).isEqualTo("a,b");
        assertThat(((Compare) ((LogicLeaf) quoted.children().get(1)).filter().expr().operation()).value()).isEqualTo("{x,y}");
    }

    @Test
    void orderTerms() {
        List<Syntax.OrderTerm> terms = Grammar.order("name.desc.nullsfirst,json_col->key.asc.nullslast,clients(name).desc,id");
        assertThat(terms).hasSize(4);
        assertThat(terms.get(0).descending()).isTrue();
        assertThat(terms.get(0).nullsFirst()).isTrue();
        assertThat(terms.get(1).field().path()).hasSize(1);
        assertThat(terms.get(2).relation()).isEqualTo("clients");
        assertThat(terms.get(3).descending()).isNull();
    }

    @Test
    void keyPaths() {
        Grammar.KeyPath path = Grammar.keyPath("clients.projects.data->>x");
        assertThat(path.embedPath()).containsExactly("clients", "projects");
        assertThat(path.field().name()).isEqualTo("data");
        assertThat(path.field().path()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "select | id,,name", "select | rel(", "select | ::text", "select | a!b!c!d(*)", "filter | noop.1",
            "filter | in.(1,2", "filter | is.maybe", "filter | like(some).x", "order | id.up", "order | id.desc.nullsmiddle",
            "logic | (a.eq.1", "logic | ()", "logic | (xor(a.eq.1))"})
    void malformedInputIsPGRST100(String kind, String input) {
        assertThatThrownBy(() -> {
            switch (kind) {
                case "select" -> Grammar.select(input);
                case "filter" -> Grammar.filterValue(input);
                case "order" -> Grammar.order(input);
                default -> Grammar.logic("or", input);
            }
        }).isInstanceOfSatisfying(PgrstError.class, e -> {
            assertThat(e.code()).isIn("PGRST100", "PGRST123");
            assertThat(e.status()).isEqualTo(400);
        });
    }

    @Test
    void nestingIsBounded() {
        String deep = "a(".repeat(40) + "id" + ")".repeat(40);
        assertThatThrownBy(() -> Grammar.select(deep)).isInstanceOf(PgrstError.class);
        String deepLogic = "(" + "or(".repeat(40) + "a.eq.1" + ")".repeat(40) + ")";
        assertThatThrownBy(() -> Grammar.logic("or", deepLogic)).isInstanceOf(PgrstError.class);
    }

    @Test
    void queryStringDecoding() {
        List<QueryString.Pair> pairs = QueryString.parse("a=1&b=x+y&c=%E6%97%A5&d&e=%ZZ&a=2");
        assertThat(pairs).containsExactly(new QueryString.Pair("a", "1"), new QueryString.Pair("b", "x y"),
                new QueryString.Pair("c", "日"), new QueryString.Pair("d", null), new QueryString.Pair("e", "%ZZ"),
                new QueryString.Pair("a", "2"));
    }

    @Test
    void preferences() {
        Preferences prefs = Preferences.parse(List.of("return=representation, count=exact", "resolution=merge-duplicates,tx=rollback"));
        assertThat(prefs.returning()).isEqualTo(Preferences.Return.REPRESENTATION);
        assertThat(prefs.count()).isEqualTo(Preferences.Count.EXACT);
        assertThat(prefs.resolution()).isEqualTo(Preferences.Resolution.MERGE);
        assertThat(prefs.tx()).isEqualTo(Preferences.Tx.ROLLBACK);
        assertThat(Preferences.parse(List.of("handling=lenient, bogus=1")).handling()).isEqualTo(Preferences.Handling.LENIENT);
        assertThatThrownBy(() -> Preferences.parse(List.of("handling=strict, bogus=1"))).isInstanceOf(PgrstError.class);
    }
}
