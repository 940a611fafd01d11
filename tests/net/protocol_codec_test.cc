#include "net/protocol_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace syncagent {
namespace {

using nlohmann::json;

PushRequest TwoMutations() {
  PushRequest r;
  r.client_id = "c-1";
  r.batch_id = "b-1";
  WireMutation put;
  put.mutation_id = "m1";
  put.seq = 1;
  put.collection = "notes";
  put.key = "n1";
  put.op = WireOp::kPut;
  put.data = {{"title", "hi"}};
  put.hlc = "h1";
  WireMutation del;
  del.mutation_id = "m2";
  del.seq = 2;
  del.collection = "notes";
  del.key = "n2";
  del.op = WireOp::kDelete;
  del.base_version = 3;
  del.hlc = "h2";
  r.mutations = {put, del};
  return r;
}

TEST(ProtocolCodecTest, EncodesPushRequestPerProtocol) {
  ProtocolCodec codec;
  json body = json::parse(codec.EncodePushRequest(TwoMutations()));
  EXPECT_EQ(body["client_id"], "c-1");
  EXPECT_EQ(body["batch_id"], "b-1");
  ASSERT_EQ(body["mutations"].size(), 2u);
  const json& m1 = body["mutations"][0];
  EXPECT_EQ(m1["op"], "put");
  EXPECT_TRUE(m1["base_version"].is_null());
  EXPECT_EQ(m1["data"], json({{"title", "hi"}}));
  EXPECT_FALSE(m1.contains("force"));
  const json& m2 = body["mutations"][1];
  EXPECT_EQ(m2["op"], "delete");
  EXPECT_EQ(m2["base_version"], 3);
  EXPECT_TRUE(m2["data"].is_null());
  EXPECT_FALSE(m2.contains("force"));  // the protocol has no force (docs/protocol.md §3.1)
  EXPECT_EQ(m2["seq"], 2);
  EXPECT_FALSE(body.contains("origin"));  // only sent when set
}

TEST(ProtocolCodecTest, EncodesTheOriginWhenSet) {
  ProtocolCodec codec;
  PushRequest request = TwoMutations();
  request.origin = "o-123";
  json body = json::parse(codec.EncodePushRequest(request));
  EXPECT_EQ(body["origin"], "o-123");
}

TEST(ProtocolCodecTest, DecodesAllThreeResultKinds) {
  ProtocolCodec codec;
  PushRequest req = TwoMutations();
  req.mutations.push_back(req.mutations[0]);
  req.mutations[2].mutation_id = "m3";
  const std::string body = R"({"results":[
    {"mutation_id":"m1","status":"applied","version":4,"hlc":"h1"},
    {"mutation_id":"m2","status":"conflict","current":{"version":5,"deleted":false,"data":{"a":1},"hlc":"x"}},
    {"mutation_id":"m3","status":"rejected","code":"invalid_document","message":"too big"}],
    "future_member": true})";
  auto decoded = codec.DecodePushResponse(body, req);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->results.size(), 3u);
  EXPECT_EQ(decoded->results[0].kind, PushResult::Kind::kApplied);
  EXPECT_EQ(decoded->results[0].version, 4);
  EXPECT_EQ(decoded->results[1].kind, PushResult::Kind::kConflict);
  EXPECT_EQ(decoded->results[1].current.version, 5);
  EXPECT_EQ(decoded->results[1].current.data, json({{"a", 1}}));
  EXPECT_EQ(decoded->results[2].kind, PushResult::Kind::kRejected);
  EXPECT_EQ(decoded->results[2].code, "invalid_document");
}

TEST(ProtocolCodecTest, ConflictWithNeverExistingDocument) {
  ProtocolCodec codec;
  PushRequest req = TwoMutations();
  req.mutations.resize(1);
  auto decoded = codec.DecodePushResponse(
      R"({"results":[{"mutation_id":"m1","status":"conflict","current":{"version":0,"deleted":true,"data":null,"hlc":null}}]})",
      req);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->results[0].current.deleted);
  EXPECT_EQ(decoded->results[0].current.version, 0);
}

struct BadReply {
  const char* body;
  const char* expected_fragment;
};

TEST(ProtocolCodecTest, MalformedPushRepliesNameTheField) {
  ProtocolCodec codec;
  PushRequest req = TwoMutations();
  const BadReply cases[] = {
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":4}]})",
       "expected 2 results (one per mutation), got 1"},
      {R"({"results":[{"mutation_id":"m2","status":"applied","version":4},{"mutation_id":"m1","status":"applied","version":1}]})",
       "results[0].mutation_id: expected \"m1\""},
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":"x"},{"mutation_id":"m2","status":"applied","version":1}]})",
       "results[0].version: expected an integer >= 0, got a string \"x\""},
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":1},{"mutation_id":"m2","status":"weird"}]})",
       "results[1].status: expected one of applied, conflict, rejected"},
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":1},{"mutation_id":"m2","status":"conflict"}]})",
       "results[1].current: expected an object, got nothing (missing)"},
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":1},{"mutation_id":"m2","status":"conflict","current":{"version":2,"deleted":false,"data":[1]}}]})",
       "results[1].current.data: expected an object, got an array"},
      {R"({"results":[{"mutation_id":"m1","status":"applied","version":1},{"mutation_id":"m2","status":"rejected"}]})",
       "results[1].code: expected a non-empty string"},
      {R"({"results":{}})", "results: expected an array, got an object"},
      {R"([1,2])", "(root): expected an object"},
      {R"({"results":[{"mutation_id":"m1","status":"applied","vers)", "not valid JSON"},
      {"", "not valid JSON"},
  };
  for (const BadReply& c : cases) {
    auto decoded = codec.DecodePushResponse(c.body, req);
    ASSERT_FALSE(decoded.ok()) << c.body;
    EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss) << c.body;
    EXPECT_EQ(decoded.status().retry_class(), RetryClass::kTransient) << c.body;
    EXPECT_NE(decoded.status().message().find(c.expected_fragment), std::string::npos)
        << "message: " << decoded.status().message() << "\nwanted: " << c.expected_fragment;
  }
}

TEST(ProtocolCodecTest, DecodesPullPageWithTombstones) {
  ProtocolCodec codec;
  auto page = codec.DecodePullPage(R"({"changes":[
      {"collection":"notes","key":"a","version":2,"deleted":false,"data":{"t":1},"hlc":"h"},
      {"collection":"notes","key":"b","version":7,"deleted":true,"data":null,"hlc":"h2"}],
      "cursor":"c42","has_more":true})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->changes.size(), 2u);
  EXPECT_EQ(page->changes[0].document.data, json({{"t", 1}}));
  EXPECT_TRUE(page->changes[1].document.deleted);
  EXPECT_TRUE(page->changes[1].document.data.is_null());
  EXPECT_EQ(page->cursor, "c42");
  EXPECT_TRUE(page->has_more);
}

TEST(ProtocolCodecTest, MalformedPullPagesNameTheItem) {
  ProtocolCodec codec;
  const BadReply cases[] = {
      {R"({"changes":[],"has_more":false})", "cursor: expected a non-empty string, got nothing"},
      {R"({"changes":[],"cursor":"c","has_more":"no"})", "has_more: expected a boolean"},
      {R"({"cursor":"c","has_more":false})", "changes: expected an array, got nothing"},
      {R"({"changes":[{"collection":"n","key":"k","version":0,"deleted":false,"data":{}}],"cursor":"c","has_more":false})",
       "changes[0].version: expected an integer >= 1, got 0"},
      {R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":true,"data":{"x":1}}],"cursor":"c","has_more":false})",
       "changes[0].data: expected null for a deleted document"},
      {R"({"changes":[{"key":"k","version":1,"deleted":false,"data":{}}],"cursor":"c","has_more":false})",
       "changes[0].collection: expected a non-empty string, got nothing"},
      {R"({"changes":[7],"cursor":"c","has_more":false})", "changes[0]: expected an object, got 7"},
  };
  for (const BadReply& c : cases) {
    // The text decoder gives the DOM decoder's errors, word for word.
    for (bool text : {false, true}) {
      auto page = text ? codec.DecodePullPageText(c.body) : codec.DecodePullPage(c.body);
      ASSERT_FALSE(page.ok()) << c.body;
      EXPECT_NE(page.status().message().find(c.expected_fragment), std::string::npos)
          << "message: " << page.status().message() << "\nwanted: " << c.expected_fragment;
    }
  }
}

TEST(ProtocolCodecTest, TextDecoderKeepsDocumentsAsCompactText) {
  ProtocolCodec codec;
  const std::string body = R"({ "cursor" : "c7", "changes" : [
      { "key": "a", "collection": "notes", "version": 3, "deleted": false, "hlc": null,
        "data": { "t" : "caf\u00e9 \"q\"", "n": [1, -2.5e3, true, null, {}], "z": {"y": []} },
        "extra": {"ignored": [1, 2]} },
      {"collection":"notes","key":"b\u00e9","version":9,"deleted":true,"hlc":"h9"}],
      "has_more" : false, "server": "ignored" })";
  auto text = codec.DecodePullPageText(body);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ASSERT_EQ(text->changes.size(), 2u);
  const WireDocument& a = text->changes[0].document;
  EXPECT_EQ(a.data_text,
            R"({"t":"caf\u00e9 \"q\"","n":[1,-2.5e3,true,null,{}],"z":{"y":[]}})");
  EXPECT_TRUE(a.data.is_null());
  EXPECT_EQ(a.version, 3);
  EXPECT_EQ(a.hlc, "");
  EXPECT_EQ(text->changes[1].key, "b\xC3\xA9");
  EXPECT_TRUE(text->changes[1].document.deleted);
  EXPECT_EQ(text->changes[1].document.data_text, "");
  EXPECT_EQ(text->changes[1].document.hlc, "h9");
  EXPECT_EQ(text->cursor, "c7");
  EXPECT_FALSE(text->has_more);
  // The same page through the DOM decoder: the same values.
  auto dom = codec.DecodePullPage(body);
  ASSERT_TRUE(dom.ok()) << dom.status().ToString();
  EXPECT_EQ(json::parse(a.data_text), dom->changes[0].document.data);
  EXPECT_EQ(dom->changes[1].key, text->changes[1].key);
}

TEST(ProtocolCodecTest, TextDecoderFallsBackForWhatTheScannerDoesNotTake) {
  ProtocolCodec codec;
  // Valid pages the fast path leaves to the full parser (a repeated member, a number that only
  // strtod takes, a byte order mark): the same result as the DOM decoder, as text.
  const std::string pages[] = {
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"a":1},"data":{"b":2}}],"cursor":"c","has_more":false})",
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"tiny":1e-400}}],"cursor":"c","has_more":false})",
      "\xEF\xBB\xBF" R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"x":1}}],"cursor":"c","has_more":false})",
  };
  for (const std::string& body : pages) {
    auto dom = codec.DecodePullPage(body);
    auto text = codec.DecodePullPageText(body);
    ASSERT_TRUE(dom.ok()) << dom.status().ToString();
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    ASSERT_EQ(text->changes.size(), 1u);
    EXPECT_EQ(json::parse(text->changes[0].document.data_text), dom->changes[0].document.data)
        << body;
  }
  // Invalid JSON inside a document body fails the page, as in the DOM decoder.
  const std::string bad[] = {
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"x":1e400}}],"cursor":"c","has_more":false})",
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"x":"\ud800"}}],"cursor":"c","has_more":false})",
      "{\"changes\":[{\"collection\":\"n\",\"key\":\"k\",\"version\":1,\"deleted\":false,"
      "\"data\":{\"x\":\"\xC0\xAF\"}}],\"cursor\":\"c\",\"has_more\":false}",
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":{"x":01}}],"cursor":"c","has_more":false})",
      R"({"changes":[],"cursor":"c","has_more":false} trailing)",
  };
  for (const std::string& body : bad) {
    EXPECT_FALSE(codec.DecodePullPage(body).ok()) << body;
    auto text = codec.DecodePullPageText(body);
    ASSERT_FALSE(text.ok()) << body;
    EXPECT_EQ(text.status().code(), StatusCode::kDataLoss) << text.status().ToString();
  }
}

TEST(ProtocolCodecTest, EnforcesBodySizeAndNestingDepth) {
  ProtocolCodec codec(CodecLimits{/*max_body_bytes=*/1000, /*max_depth=*/8});
  std::string big = R"({"changes":[],"cursor":")" + std::string(2000, 'x') + R"(","has_more":false})";
  auto too_big = codec.DecodePullPage(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.status().message().find("exceeds the limit of 1000"), std::string::npos);
  EXPECT_EQ(codec.DecodePullPageText(big).status().code(), StatusCode::kResourceExhausted);

  std::string deep = R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":false,"data":)";
  for (int i = 0; i < 20; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 20; ++i) deep += "}";
  deep += R"(}],"cursor":"c","has_more":false})";
  // A document too deep is isolated, not the page: the change is marked unusable in both
  // decoders (docs/protocol.md §2.1).
  for (bool text : {false, true}) {
    auto too_deep = text ? codec.DecodePullPageText(deep) : codec.DecodePullPage(deep);
    ASSERT_TRUE(too_deep.ok()) << too_deep.status().ToString();
    ASSERT_EQ(too_deep->changes.size(), 1u);
    EXPECT_FALSE(too_deep->changes[0].document.unusable.empty());
    EXPECT_TRUE(too_deep->changes[0].document.data_text.empty());
  }
  // An error body is not a reply with documents: the wire limit holds.
  EXPECT_FALSE(codec.DecodeError(R"({"error":{"code":"x","m":[[[[[[[[[[1]]]]]]]]]]}})").has_value());

  // Brackets inside strings do not count towards depth.
  std::string brackets = R"({"changes":[],"cursor":"[[[[[[[[[[[[[[[[[[\"{{{{","has_more":false})";
  EXPECT_TRUE(codec.DecodePullPage(brackets).ok());
}

std::string PageWith(const std::string& data, const std::string& extra = "") {
  return R"({"changes":[{"collection":"n","key":"a","version":1,"deleted":false,"data":{"v":1}},)"
         R"({"collection":"n","key":"deep","version":3,"deleted":false,"data":)" + data + extra +
         R"(},{"collection":"n","key":"b","version":2,"deleted":false,"data":{"v":2}}],)"
         R"("cursor":"c9","has_more":false})";
}

std::string NestedText(int depth) {
  return "{\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(ProtocolCodecTest, OneDocumentPastTheLimitIsIsolatedNotThePage) {
  ProtocolCodec codec;
  // 33 levels (within the wire limit) and 62 levels (the page is then 65 deep), through the
  // scanner and through the DOM decoder.
  for (int depth : {33, 62, 70000}) {
    for (bool text : {false, true}) {
      const std::string body = PageWith(NestedText(depth));
      auto page = text ? codec.DecodePullPageText(body) : codec.DecodePullPage(body);
      ASSERT_TRUE(page.ok()) << depth << " " << page.status().ToString();
      ASSERT_EQ(page->changes.size(), 3u);
      EXPECT_EQ(page->changes[1].document.unusable, "nested deeper than 32 levels");
      EXPECT_EQ(page->changes[1].document.version, 3);
      EXPECT_TRUE(page->changes[0].document.unusable.empty());
      EXPECT_TRUE(page->changes[2].document.unusable.empty());
      EXPECT_EQ(page->cursor, "c9");
    }
  }
  auto ok = codec.DecodePullPageText(PageWith(NestedText(32)));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->changes[1].document.unusable.empty());
  // A deep unknown member beside a good body is ignored, as unknown members are.
  for (bool text : {false, true}) {
    const std::string body = PageWith("{\"v\":3}", ",\"x\":" + NestedText(70));
    auto page = text ? codec.DecodePullPageText(body) : codec.DecodePullPage(body);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_TRUE(page->changes[1].document.unusable.empty()) << text;
    EXPECT_EQ(text ? json::parse(page->changes[1].document.data_text)
                   : page->changes[1].document.data,
              json({{"v", 3}}));
  }
}

TEST(ProtocolCodecTest, OmittedStubsAreUnusableChanges) {
  ProtocolCodec codec;
  const std::string body =
      R"({"changes":[{"collection":"n","key":"big","version":4,"deleted":false,)"
      R"("omitted":"too_large","size":99999999}],"cursor":"c1","has_more":true})";
  for (bool text : {false, true}) {
    auto page = text ? codec.DecodePullPageText(body) : codec.DecodePullPage(body);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->changes[0].document.unusable, "left out by the server (too_large)");
    EXPECT_EQ(page->changes[0].document.version, 4);
  }
  // A stub with data, or on a tombstone, is malformed.
  EXPECT_FALSE(codec.DecodePullPage(
      R"({"changes":[{"collection":"n","key":"k","version":1,"deleted":true,"omitted":"x"}],"cursor":"c","has_more":false})").ok());
}

TEST(ProtocolCodecTest, ConflictWithACurrentDocumentPastTheLimitIsMarked) {
  ProtocolCodec codec;
  PushRequest req = TwoMutations();
  const std::string body =
      R"({"results":[{"mutation_id":")" + req.mutations[0].mutation_id +
      R"(","status":"conflict","current":{"version":5,"deleted":false,"data":)" +
      NestedText(62) + R"(,"hlc":null}},{"mutation_id":")" + req.mutations[1].mutation_id +
      R"(","status":"applied","version":2,"hlc":null}]})";
  auto decoded = codec.DecodePushResponse(body, req);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->results[0].current.unusable, "nested deeper than 32 levels");
  EXPECT_EQ(decoded->results[0].current.version, 5);
  EXPECT_EQ(decoded->results[1].kind, PushResult::Kind::kApplied);
}

TEST(ProtocolCodecTest, DecodesErrorBodies) {
  ProtocolCodec codec;
  auto e = codec.DecodeError(
      R"({"error":{"code":"mutation_id_reused","message":"different payload","mutation_id":"m9"}})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "mutation_id_reused");
  EXPECT_EQ(e->mutation_id, "m9");
  EXPECT_FALSE(codec.DecodeError("<html>oops</html>").has_value());
  EXPECT_FALSE(codec.DecodeError(R"({"error":"flat"})").has_value());
  EXPECT_FALSE(codec.DecodeError("").has_value());
}

TEST(ProtocolCodecTest, ServerTextInErrorBodiesIsCappedAndCannotForgeLogLines) {
  ProtocolCodec codec;
  json body = {{"error",
                {{"code", "bad\nINFO forged line"},
                 {"message", "\x1b[31mred\x1b[0m " + std::string(5000, 'x') + "\xC3\xA9"}}}};
  auto e = codec.DecodeError(body.dump());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "bad?INFO forged line");
  EXPECT_EQ(e->message.substr(0, 12), "?[31mred?[0m");
  EXPECT_EQ(e->message.size(), 203u);  // 200 bytes and "..."
  EXPECT_EQ(e->message.substr(200), "...");
  // A cut never splits a UTF-8 sequence.
  json accents = {{"error", {{"code", "c"}, {"message", std::string(199, 'a') + "\xC3\xA9zz"}}}};
  auto a = codec.DecodeError(accents.dump());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->message, std::string(199, 'a') + "...");
}

}  // namespace
}  // namespace syncagent
