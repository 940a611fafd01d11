// A minimal XML well-formedness check for the tests of generated SVG (no external parser): an
// optional <?xml ...?> prolog, one root element, properly nested and closed tags, attributes as
// name="value" (no duplicates, no '<' inside), text and attribute values whose '&' starts one of
// the five predefined entities or a numeric reference, and no DOCTYPE, comments or CDATA (the
// writer emits none). Collects every element (name and attributes) for the test's queries.
#ifndef SYNCAGENT_TESTS_TOOLS_SIMULATORS_XML_CHECK_H_
#define SYNCAGENT_TESTS_TOOLS_SIMULATORS_XML_CHECK_H_

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent::testing_xml {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
};

struct XmlDocument {
  std::string error;  // empty when well formed
  std::vector<XmlElement> elements;  // in document order

  bool ok() const { return error.empty(); }
  // Elements whose `class` attribute starts with `prefix`.
  int CountClassPrefix(std::string_view prefix) const {
    int n = 0;
    for (const XmlElement& e : elements) {
      auto it = e.attributes.find("class");
      n += it != e.attributes.end() && it->second.rfind(prefix, 0) == 0;
    }
    return n;
  }
};

namespace internal {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  XmlDocument Parse() {
    Skip();
    if (s_.substr(i_, 5) == "<?xml") {
      const size_t end = s_.find("?>", i_);
      if (end == std::string_view::npos) return Fail("unterminated prolog");
      i_ = end + 2;
    }
    Skip();
    if (!Element()) return doc_;
    Skip();
    if (i_ != s_.size()) return Fail("content after the root element");
    return doc_;
  }

 private:
  XmlDocument Fail(const std::string& what) {
    if (doc_.error.empty()) doc_.error = what + " at offset " + std::to_string(i_);
    return doc_;
  }
  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  std::string Name() {
    const size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '_' || s_[i_] == ':' || s_[i_] == '.')) {
      ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }
  bool Entities(std::string_view text) {
    for (size_t p = text.find('&'); p != std::string_view::npos; p = text.find('&', p + 1)) {
      const size_t semi = text.find(';', p);
      if (semi == std::string_view::npos) return false;
      const std::string_view ref = text.substr(p + 1, semi - p - 1);
      const bool named = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
      const bool numeric = ref.size() > 1 && ref[0] == '#';
      if (!named && !numeric) return false;
    }
    return true;
  }
  bool Attributes(XmlElement* e) {
    for (;;) {
      Skip();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '>' || s_[i_] == '/') return true;
      const std::string name = Name();
      if (name.empty() || i_ + 1 >= s_.size() || s_[i_] != '=' || s_[i_ + 1] != '"') return false;
      const size_t end = s_.find('"', i_ + 2);
      if (end == std::string_view::npos) return false;
      const std::string_view value = s_.substr(i_ + 2, end - i_ - 2);
      if (value.find('<') != std::string_view::npos || !Entities(value)) return false;
      if (!e->attributes.emplace(name, std::string(value)).second) return false;
      i_ = end + 1;
    }
  }
  bool Element() {
    if (i_ >= s_.size() || s_[i_] != '<') return Fail("expected an element").ok();
    ++i_;
    XmlElement e;
    e.name = Name();
    if (e.name.empty()) return Fail("element without a name").ok();
    if (!Attributes(&e)) return Fail("bad attribute in <" + e.name + ">").ok();
    doc_.elements.push_back(e);
    if (s_.substr(i_, 2) == "/>") {
      i_ += 2;
      return true;
    }
    if (s_[i_] != '>') return Fail("bad end of <" + e.name + ">").ok();
    ++i_;
    return Content(e.name);
  }
  bool Content(const std::string& name) {
    for (;;) {
      const size_t lt = s_.find('<', i_);
      if (lt == std::string_view::npos) return Fail("<" + name + "> is not closed").ok();
      if (!Entities(s_.substr(i_, lt - i_)) || s_.substr(i_, lt - i_).find('>') != std::string_view::npos) {
        return Fail("bad text in <" + name + ">").ok();
      }
      i_ = lt;
      if (s_.substr(i_, 2) == "</") {
        i_ += 2;
        if (Name() != name || i_ >= s_.size() || s_[i_] != '>') {
          return Fail("mismatched end tag for <" + name + ">").ok();
        }
        ++i_;
        return true;
      }
      if (s_.substr(i_, 2) == "<!" || s_.substr(i_, 2) == "<?") return Fail("unexpected markup").ok();
      if (!Element()) return false;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  XmlDocument doc_;
};

}  // namespace internal

inline XmlDocument ParseXml(std::string_view text) { return internal::Parser(text).Parse(); }

}  // namespace syncagent::testing_xml

#endif  // SYNCAGENT_TESTS_TOOLS_SIMULATORS_XML_CHECK_H_
