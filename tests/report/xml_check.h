#pragma once
// A small strict XML well-formedness checker for the report tests (no DTD
// processing): one root element, matched tags, quoted attributes without
// duplicates, only the five predefined entities and character references,
// comments, CDATA, processing instructions and a DOCTYPE without internal subset.
// It records every element with its attributes, so tests can count marks.
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace nar::jobs::testing {

struct XmlElement {
    std::string name;
    std::map<std::string, std::string> attrs;
};

struct XmlDoc {
    std::vector<XmlElement> elements;
    std::string error;  // empty: well-formed
    bool ok() const { return error.empty(); }

    // Elements whose class attribute has the token cls.
    int count_class(const std::string& cls) const {
        int n = 0;
        for (const auto& e : elements) {
            auto it = e.attrs.find("class");
            if (it == e.attrs.end()) continue;
            const std::string& v = it->second;
            for (size_t p = 0; p < v.size();) {
                size_t q = v.find(' ', p);
                if (q == std::string::npos) q = v.size();
                n += v.compare(p, q - p, cls) == 0 && q - p == cls.size();
                p = q + 1;
            }
        }
        return n;
    }
    int count_name(const std::string& name) const {
        int n = 0;
        for (const auto& e : elements) n += e.name == name;
        return n;
    }
};

class XmlChecker {
  public:
    explicit XmlChecker(const std::string& s) : s_(s) {}

    XmlDoc run() {
        try {
            document();
        } catch (const std::string& why) {
            doc_.error = why + " at byte " + std::to_string(p_);
        }
        return doc_;
    }

  private:
    [[noreturn]] void fail(const std::string& why) { throw why; }
    bool at(const char* lit) const {
        return s_.compare(p_, std::char_traits<char>::length(lit), lit) == 0;
    }
    void expect(const char* lit) {
        if (!at(lit)) fail(std::string("expected '") + lit + "'");
        p_ += std::char_traits<char>::length(lit);
    }
    void skip_space() {
        while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
    }
    static bool name_start(char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
               static_cast<unsigned char>(c) >= 0x80;
    }
    static bool name_char(char c) {
        return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    }
    std::string name() {
        if (p_ >= s_.size() || !name_start(s_[p_])) fail("expected a name");
        size_t b = p_;
        while (p_ < s_.size() && name_char(s_[p_])) ++p_;
        return s_.substr(b, p_ - b);
    }
    void reference() {  // at '&'
        size_t semi = s_.find(';', p_);
        if (semi == std::string::npos || semi - p_ > 12) fail("unterminated entity reference");
        std::string ref = s_.substr(p_ + 1, semi - p_ - 1);
        bool ok = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
        if (!ok && ref.size() > 1 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const std::string digits = ref.substr(hex ? 2 : 1);
            ok = !digits.empty();
            for (char c : digits)
                ok = ok && (hex ? std::isxdigit(static_cast<unsigned char>(c))
                                : std::isdigit(static_cast<unsigned char>(c)));
            if (ok) {
                long v = std::stol(digits, nullptr, hex ? 16 : 10);
                ok = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0x10FFFF);
            }
        }
        if (!ok) fail("bad entity reference '&" + ref + ";'");
        p_ = semi + 1;
    }
    void text_char() {
        const unsigned char c = static_cast<unsigned char>(s_[p_]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') fail("control character");
        if (at("]]>")) fail("']]>' in text");
        if (c == '&') {
            reference();
        } else {
            ++p_;
        }
    }
    void comment() {
        expect("<!--");
        size_t end = s_.find("--", p_);
        if (end == std::string::npos || s_.compare(end, 3, "-->") != 0) fail("bad comment");
        p_ = end + 3;
    }
    void pi() {
        expect("<?");
        size_t end = s_.find("?>", p_);
        if (end == std::string::npos) fail("unterminated processing instruction");
        p_ = end + 2;
    }
    void misc() {
        for (;;) {
            skip_space();
            if (at("<!--")) {
                comment();
            } else if (at("<?")) {
                pi();
            } else {
                return;
            }
        }
    }
    void document() {
        misc();
        if (at("<!DOCTYPE")) {
            p_ += 9;
            size_t end = s_.find('>', p_);
            if (end == std::string::npos) fail("unterminated DOCTYPE");
            if (s_.substr(p_, end - p_).find('[') != std::string::npos) fail("internal subset");
            p_ = end + 1;
            misc();
        }
        if (!at("<")) fail("no root element");
        element();
        misc();
        if (p_ != s_.size()) fail("content after the root element");
    }
    void element() {
        expect("<");
        XmlElement e;
        e.name = name();
        for (;;) {
            const size_t before = p_;
            skip_space();
            if (at("/>")) {
                p_ += 2;
                doc_.elements.push_back(e);
                return;
            }
            if (at(">")) {
                ++p_;
                break;
            }
            if (p_ == before) fail("expected whitespace before an attribute");
            std::string key = name();
            skip_space();
            expect("=");
            skip_space();
            if (p_ >= s_.size() || (s_[p_] != '"' && s_[p_] != '\''))
                fail("unquoted attribute " + key);
            const char q = s_[p_++];
            size_t b = p_;
            while (p_ < s_.size() && s_[p_] != q) {
                if (s_[p_] == '<') fail("'<' in attribute " + key);
                text_char();
            }
            if (p_ >= s_.size()) fail("unterminated attribute " + key);
            if (e.attrs.count(key)) fail("duplicate attribute " + key);
            e.attrs[key] = s_.substr(b, p_ - b);
            ++p_;
        }
        doc_.elements.push_back(e);
        for (;;) {
            if (p_ >= s_.size()) fail("unclosed element <" + e.name + ">");
            if (at("</")) {
                p_ += 2;
                if (name() != e.name) fail("mismatched end tag for <" + e.name + ">");
                skip_space();
                expect(">");
                return;
            }
            if (at("<!--")) {
                comment();
            } else if (at("<![CDATA[")) {
                size_t end = s_.find("]]>", p_);
                if (end == std::string::npos) fail("unterminated CDATA");
                p_ = end + 3;
            } else if (at("<?")) {
                pi();
            } else if (at("<")) {
                element();
            } else {
                text_char();
            }
        }
    }

    const std::string& s_;
    size_t p_ = 0;
    XmlDoc doc_;
};

inline XmlDoc check_xml(const std::string& text) { return XmlChecker(text).run(); }

// Every "<svg ...>...</svg>" of an HTML page (the report never nests them).
inline std::vector<std::string> svg_blocks(const std::string& html) {
    std::vector<std::string> out;
    for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p)) {
        size_t end = html.find("</svg>", p);
        if (end == std::string::npos) break;
        out.push_back(html.substr(p, end + 6 - p));
        p = end + 6;
    }
    return out;
}

}  // namespace nar::jobs::testing
