package io.metricstore.api;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.metricstore.store.model.Cursor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /series} page by page ({@code limit}, {@code page}, {@code next}) and every refusal of a page; and the
 * whole snapshot, streamed, in its old shape. The application is shared, so each test uses metric names of its own.
 */
@QuarkusTest
public class SeriesPagesApiTest {

    private static String write(int count) {
        String name = unique("paged");
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < count; i++) {
            points.append(i == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"labels\":{\"i\":\"")
                    .append(i).append("\"},\"value\":").append(i).append('}');
        }
        post("/api/v1/points", scrape(points.toString())).statusCode(200);
        return name;
    }

    private static JsonPath page(String name, String limit, String page) {
        var request = given();
        if (name != null) {
            request.queryParam("name", name);
        }
        if (limit != null) {
            request.queryParam("limit", limit);
        }
        if (page != null) {
            request.queryParam("page", page);
        }
        return request.when().get("/api/v1/series").then().statusCode(200).extract().jsonPath();
    }

    /** Every series id of a walk with pages of {@code limit}, each page checked for the walk's first cursor. */
    private static List<String> walk(String name, String limit) {
        JsonPath first = page(name, limit, null);
        String cursor = first.getString("cursor");
        List<String> ids = new ArrayList<>(first.getList("series.id"));
        String next = first.getString("next");
        while (next != null) {
            JsonPath later = page(null, limit, next);
            assertThat(later.getString("cursor")).isEqualTo(cursor);
            ids.addAll(later.getList("series.id"));
            next = later.getString("next");
        }
        return ids;
    }

    @Test
    void pagesWalkTheSnapshotOfANameWithItsFirstCursor() {
        String name = write(5);
        JsonPath first = page(name, "2", null);
        assertThat(first.getList("series.id")).containsExactly(name + "{i=\"0\"}", name + "{i=\"1\"}");
        JsonPath second = page(null, "2", first.getString("next"));
        assertThat(second.getList("series.id")).containsExactly(name + "{i=\"2\"}", name + "{i=\"3\"}");
        assertThat(second.getString("cursor")).isEqualTo(first.getString("cursor"));
        JsonPath last = page(name, "2", second.getString("next"));
        assertThat(last.getList("series.id")).containsExactly(name + "{i=\"4\"}");
        assertThat(last.getMap("$")).doesNotContainKey("next");
        assertThat(walk(name, "1")).containsExactlyElementsOf(
                given().queryParam("name", name).when().get("/api/v1/series").then().extract().jsonPath()
                        .getList("series.id"));
    }

    @Test
    void aPageWithoutLimitHasTheConfiguredSize() {
        String name = write(4);
        JsonPath rest = page(null, null, page(name, "1", null).getString("next"));
        assertThat(rest.getList("series.id")).hasSize(3);
        assertThat(rest.getMap("$")).doesNotContainKey("next");
    }

    @Test
    void theWholeSnapshotIsThePagesTogetherInItsOldShape() {
        write(7);
        given().when().get("/api/v1/series").then().statusCode(200).contentType("application/json")
                .body("$", not(hasKey("next"))).body("cursor", notNullValue());
        List<String> whole = given().when().get("/api/v1/series").then().extract().jsonPath().getList("series.id");
        assertThat(walk(null, "3")).containsExactlyElementsOf(whole);
    }

    @Test
    void aLimitOutOfRangeIsRefused() {
        for (String limit : List.of("0", "-1", "abc", "10001", "1e3")) {
            problem(given().queryParam("limit", limit).when().get("/api/v1/series").then(), 400, "validation")
                    .body("errors.field", contains("limit"))
                    .body("errors[0].message", containsString("store.limits.max-series-page-size"));
        }
    }

    @Test
    void aTokenThisServiceDidNotIssueIsRefused() {
        String name = write(3);
        String next = page(name, "1", null).getString("next");
        String otherName = new PageToken(Cursor.decode(page(name, "1", null).getString("cursor")).orElseThrow(),
                Optional.of(name), "another_name\u0000i\u00001\u0000").encode();
        for (String page : List.of("not-a-token", next + "x", next.substring(0, next.length() / 2), otherName,
                Base64.getUrlEncoder().encodeToString("2\nx\n\nm\u0000".getBytes(StandardCharsets.UTF_8)),
                next.substring(0, next.length() - 7) + (next.endsWith("AAAAAAA") ? "BBBBBBB" : "AAAAAAA"))) {
            assertThat(given().queryParam("page", page).when().get("/api/v1/series").statusCode()).as(page)
                    .isEqualTo(400);
            problem(given().queryParam("page", page).when().get("/api/v1/series").then(), 400, "malformed-page")
                    .body("detail", containsString("next of the previous page"));
        }
    }

    @Test
    void aNameOtherThanTheWalksIsRefused() {
        String name = write(3);
        String next = page(name, "1", null).getString("next");
        problem(given().queryParam("page", next).queryParam("name", unique("other")).when().get("/api/v1/series")
                .then(), 400, "validation").body("errors.field", contains("name"));
        String unfiltered = page(null, "1", null).getString("next");
        problem(given().queryParam("page", unfiltered).queryParam("name", name).when().get("/api/v1/series").then(),
                400, "validation").body("errors.field", contains("name"));
        given().queryParam("page", next).queryParam("name", name).queryParam("limit", "1").when()
                .get("/api/v1/series").then().statusCode(200).body("series", hasSize(1));
    }

    @Test
    void aWalkOfAnotherEpochIsExpired() {
        String name = write(2);
        String key = name + "\u0000i\u00000\u0000";
        String foreign = new PageToken(new Cursor("an-earlier-state", 1), Optional.of(name), key).encode();
        problem(given().queryParam("page", foreign).when().get("/api/v1/series").then(), 410, "cursor-expired")
                .body("detail", containsString("take a new snapshot"));
    }

    /**
     * A page token holds a sort key, which a series at store.limits.max-series-bytes makes long, the more so when its
     * values are U+0000 (escaped as two characters): it still fits in a request line.
     */
    @Test
    void aPageAfterTheLargestSeriesIsServed() {
        String name = unique("big");
        String value = "\\u0000".repeat(1990);
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"labels\":{\"a\":\"" + value + "\",\"b\":\"" + value
                + "\"},\"value\":1},{\"name\":\"" + name + "\",\"labels\":{\"c\":\"1\"},\"value\":2}")).statusCode(200);
        String next = page(name, "1", null).getString("next");
        assertThat(next.length()).isGreaterThan(10_000);
        given().queryParam("page", next).when().get("/api/v1/series").then().statusCode(200)
                .body("series.id", contains(name + "{c=\"1\"}")).body("$", not(hasKey("next")));
    }

    @Test
    void aPageOfNoSeriesHasNoNext() {
        given().queryParam("name", unique("absent")).queryParam("limit", "5").when().get("/api/v1/series").then()
                .statusCode(200).body("series", hasSize(0)).body("$", not(hasKey("next")))
                .body("cursor", notNullValue()).body("series.size()", equalTo(0));
    }
}
