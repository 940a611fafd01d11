#include "tools/mock_server/test_certs.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace syncagent::mock {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(FILE* p) const { std::fclose(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Deleter>;

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return InternalError(std::string("cannot add certificate extension ") + value);
  }
  return Status::Ok();
}

StatusOr<std::string> PinOf(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return InternalError("certificate has no public key");
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) return InternalError("cannot encode the public key");
  std::vector<unsigned char> der(static_cast<size_t>(length));
  unsigned char* out = der.data();
  i2d_PUBKEY(key, &out);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(der.data(), der.size(), digest, &digest_length, EVP_sha256(), nullptr) != 1) {
    return InternalError("SHA-256 failed");
  }
  std::string base64(4 * ((digest_length + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), digest,
                                      static_cast<int>(digest_length));
  base64.resize(static_cast<size_t>(written));
  return "sha256//" + base64;
}

StatusOr<std::string> MakeDir(const std::string& dir) {
  if (!dir.empty()) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return IoError("cannot create directory " + dir);
    }
    return dir;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/syncagent-cert-XXXXXX";
  if (!::mkdtemp(pattern.data())) return IoError("mkdtemp failed for " + pattern);
  return pattern;
}

}  // namespace

StatusOr<TestCert> GenerateTestCert(const std::string& dir) {
  TestCert out;
  SYNCAGENT_ASSIGN_OR_RETURN(out.dir, MakeDir(dir));
  out.cert_file = out.dir + "/cert.pem";
  out.key_file = out.dir + "/key.pem";

  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return InternalError("EC P-256 key generation failed");
  Owned<X509> cert(X509_new());
  if (!cert) return InternalError("X509_new failed");
  X509_set_version(cert.get(), 2);  // v3
  uint32_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial));
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>((serial >> 1) | 1));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("syncagent tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  SYNCAGENT_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  SYNCAGENT_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign"));
  SYNCAGENT_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  SYNCAGENT_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"));
  SYNCAGENT_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return InternalError("signing the certificate failed");
  }

  {
    Owned<FILE> file(std::fopen(out.cert_file.c_str(), "wb"));
    if (!file || PEM_write_X509(file.get(), cert.get()) != 1) {
      return IoError("cannot write " + out.cert_file);
    }
  }
  {
    const int fd = ::open(out.key_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return IoError("cannot create " + out.key_file);
    Owned<FILE> file(::fdopen(fd, "wb"));
    if (!file ||
        PEM_write_PrivateKey(file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return IoError("cannot write " + out.key_file);
    }
  }
  SYNCAGENT_ASSIGN_OR_RETURN(out.spki_pin, PinOf(cert.get()));
  return out;
}

StatusOr<std::string> SpkiPinOfCertFile(const std::string& cert_file) {
  Owned<FILE> file(std::fopen(cert_file.c_str(), "rb"));
  if (!file) return NotFoundError("cannot read " + cert_file);
  Owned<X509> cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgumentError(cert_file + " holds no PEM certificate");
  return PinOf(cert.get());
}

}  // namespace syncagent::mock
