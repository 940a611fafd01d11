#include "net/error_classes.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

namespace syncagent {
namespace {

TEST(ErrorClassesTest, EveryCurlCodeHasAClassAndAMessage) {
  for (int code = 1; code < CURL_LAST; ++code) {
    Status s = StatusFromCurlCode(code, "", "GET https://h/x");
    EXPECT_FALSE(s.ok()) << code;
    EXPECT_NE(s.message().find("GET https://h/x"), std::string::npos) << code;
    if (code != CURLE_ABORTED_BY_CALLBACK) {
      EXPECT_NE(s.retry_class(), RetryClass::kNone) << code;
    }
  }
  EXPECT_TRUE(StatusFromCurlCode(CURLE_OK, "", "x").ok());
}

TEST(ErrorClassesTest, CurlCodesMapToTheirClasses) {
  EXPECT_EQ(StatusFromCurlCode(CURLE_COULDNT_RESOLVE_HOST, "", "x").retry_class(), RetryClass::kNetwork);
  EXPECT_EQ(StatusFromCurlCode(CURLE_COULDNT_CONNECT, "", "x").retry_class(), RetryClass::kNetwork);
  EXPECT_EQ(StatusFromCurlCode(CURLE_OPERATION_TIMEDOUT, "", "x").retry_class(), RetryClass::kTransient);
  EXPECT_EQ(StatusFromCurlCode(CURLE_RECV_ERROR, "", "x").retry_class(), RetryClass::kTransient);
  EXPECT_EQ(StatusFromCurlCode(CURLE_GOT_NOTHING, "", "x").retry_class(), RetryClass::kTransient);
  EXPECT_EQ(StatusFromCurlCode(CURLE_PARTIAL_FILE, "", "x").retry_class(), RetryClass::kTransient);
  Status pin = StatusFromCurlCode(CURLE_SSL_PINNEDPUBKEYNOTMATCH, "detail", "x");
  EXPECT_EQ(pin.retry_class(), RetryClass::kPermanent);
  EXPECT_EQ(pin.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(pin.message().find("TLS verification failed"), std::string::npos);
  EXPECT_NE(pin.message().find("(detail)"), std::string::npos);
  EXPECT_EQ(StatusFromCurlCode(CURLE_PEER_FAILED_VERIFICATION, "", "x").retry_class(),
            RetryClass::kPermanent);
  EXPECT_EQ(StatusFromCurlCode(CURLE_URL_MALFORMAT, "", "x").retry_class(), RetryClass::kPermanent);
}

TEST(ErrorClassesTest, HttpStatusClasses) {
  EXPECT_EQ(RetryClassForHttpStatus(200), RetryClass::kNone);
  EXPECT_EQ(RetryClassForHttpStatus(304), RetryClass::kNone);
  EXPECT_EQ(RetryClassForHttpStatus(401), RetryClass::kAuth);
  EXPECT_EQ(RetryClassForHttpStatus(403), RetryClass::kPermanent);
  EXPECT_EQ(RetryClassForHttpStatus(404), RetryClass::kPermanent);
  EXPECT_EQ(RetryClassForHttpStatus(408), RetryClass::kTransient);
  EXPECT_EQ(RetryClassForHttpStatus(413), RetryClass::kPermanent);
  EXPECT_EQ(RetryClassForHttpStatus(422), RetryClass::kPermanent);
  EXPECT_EQ(RetryClassForHttpStatus(429), RetryClass::kTransient);
  for (int s = 500; s < 600; ++s) EXPECT_EQ(RetryClassForHttpStatus(s), RetryClass::kTransient) << s;
  EXPECT_EQ(StatusCodeForHttpStatus(413), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusCodeForHttpStatus(401), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusCodeForHttpStatus(503), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace syncagent
