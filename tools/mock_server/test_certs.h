// Test TLS material: a self-signed certificate for 127.0.0.1 / localhost, made at test time.
//
// GenerateTestCert writes cert.pem and key.pem (EC P-256, SHA-256 signature, valid from one day
// ago for 30 days, subjectAltName IP:127.0.0.1 and DNS:localhost, basicConstraints CA:TRUE so it
// can serve as its own trust anchor) and returns their paths plus the SPKI pin in the form
// libcurl's CURLOPT_PINNEDPUBLICKEY takes: "sha256//<base64 of SHA-256(DER SubjectPublicKeyInfo)>".
//
// Thread safety: reentrant (OpenSSL 3 is thread-safe); distinct calls need distinct directories.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_TEST_CERTS_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_TEST_CERTS_H_

#include <string>

#include "syncagent/status.h"

namespace syncagent::mock {

struct TestCert {
  std::string dir;        // the directory holding both files
  std::string cert_file;  // PEM certificate (use it as the CA file too)
  std::string key_file;   // PEM private key (mode 0600)
  std::string spki_pin;   // "sha256//<base64>"
};

// Writes the files into `dir` (created when missing). An empty `dir` makes a fresh
// directory under $TMPDIR (or /tmp).
StatusOr<TestCert> GenerateTestCert(const std::string& dir = "");

// The "sha256//<base64>" pin of the public key of the PEM certificate in `cert_file`.
StatusOr<std::string> SpkiPinOfCertFile(const std::string& cert_file);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_TEST_CERTS_H_
