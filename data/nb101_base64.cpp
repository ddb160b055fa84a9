#include "data/nb101_base64.h"

#include "common/error.h"

namespace nar::data {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

std::string base64_decode(const std::string& text) {
    if (text.size() % 4 != 0)
        throw common::Error("base64: length " + std::to_string(text.size()) +
                            " is not a multiple of 4");
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int pad = 0;
        uint32_t group = 0;
        for (size_t k = 0; k < 4; ++k) {
            char c = text[i + k];
            int v = 0;
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++pad;
            } else if (pad > 0 || (v = sextet(c)) < 0) {
                throw common::Error("base64: invalid character at position " +
                                    std::to_string(i + k));
            }
            group = (group << 6) | static_cast<uint32_t>(v);
        }
        out.push_back(static_cast<char>(group >> 16));
        if (pad < 2) out.push_back(static_cast<char>((group >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<char>(group & 0xff));
    }
    return out;
}

std::string base64_encode(const std::string& bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        size_t n = std::min<size_t>(3, bytes.size() - i);
        uint32_t group = 0;
        for (size_t k = 0; k < 3; ++k)
            group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        out.push_back(kAlphabet[(group >> 18) & 63]);
        out.push_back(kAlphabet[(group >> 12) & 63]);
        out.push_back(n > 1 ? kAlphabet[(group >> 6) & 63] : '=');
        out.push_back(n > 2 ? kAlphabet[group & 63] : '=');
    }
    return out;
}

}  // namespace nar::data
