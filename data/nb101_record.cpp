#include "data/nb101_record.h"

#include <cctype>

#include "common/error.h"
#include "data/nb101_base64.h"
#include "nb101_metrics.pb.h"

namespace nar::data {
namespace {

// A JSON reader for exactly this record shape: an array of 5 values, strings
// except the integer epochs.
class RecordParser {
  public:
    explicit RecordParser(const std::string& s) : s_(s) {}

    Nb101Record parse() {
        Nb101Record r;
        expect('[');
        r.module_hash = string_value();
        expect(',');
        r.epochs = integer_value();
        expect(',');
        r.raw_adjacency = string_value();
        expect(',');
        r.raw_operations = string_value();
        expect(',');
        r.raw_metrics = string_value();
        expect(']');
        skip_ws();
        if (pos_ != s_.size()) fail("trailing characters after the array");
        return r;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw common::Error("bad NAS-Bench-101 JSON record at character " + std::to_string(pos_) +
                            ": " + what);
    }

    void skip_ws() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }

    void expect(char c) {
        skip_ws();
        if (pos_ >= s_.size() || s_[pos_] != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    int64_t integer_value() {
        skip_ws();
        size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        if (pos_ == start || (pos_ == start + 1 && s_[start] == '-')) fail("expected an integer");
        if (pos_ - start > 18) fail("integer too long");
        return std::stoll(s_.substr(start, pos_ - start));
    }

    unsigned hex4() {
        if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return v;
    }

    void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out.push_back(char(cp));
        } else if (cp < 0x800) {
            out.push_back(char(0xC0 | (cp >> 6)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(char(0xE0 | (cp >> 12)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(char(0xF0 | (cp >> 18)));
            out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        }
    }

    std::string string_value() {
        skip_ws();
        if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string");
        ++pos_;
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) fail("unterminated string");
            char c = s_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos_ >= s_.size()) fail("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    // A surrogate pair encodes one code point above U+FFFF.
                    if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 <= s_.size() && s_[pos_] == '\\' &&
                        s_[pos_ + 1] == 'u') {
                        pos_ += 2;
                        unsigned lo = hex4();
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    put_utf8(out, cp);
                    break;
                }
                default:
                    fail(std::string("bad escape '\\") + e + "'");
            }
        }
    }

    const std::string& s_;
    size_t pos_ = 0;
};

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

Nb101Record parse_nb101_record(const std::string& json) { return RecordParser(json).parse(); }

std::string format_nb101_record(const Nb101Record& r) {
    return "[" + quote(r.module_hash) + ", " + std::to_string(r.epochs) + ", " +
           quote(r.raw_adjacency) + ", " + quote(r.raw_operations) + ", " + quote(r.raw_metrics) +
           "]";
}

Nb101Metrics decode_nb101_metrics(const std::string& raw_metrics) {
    pb::ModelMetrics msg;
    if (!msg.ParseFromString(base64_decode(raw_metrics)))
        throw common::Error("raw_metrics is not a valid ModelMetrics protobuf");
    Nb101Metrics m;
    m.trainable_parameters = msg.trainable_parameters();
    m.total_time = msg.total_time();
    for (const pb::EvaluationData& e : msg.evaluation_data()) {
        Nb101Evaluation ev;
        ev.current_epoch = e.current_epoch();
        ev.training_time = e.training_time();
        ev.train_accuracy = e.train_accuracy();
        ev.validation_accuracy = e.validation_accuracy();
        ev.test_accuracy = e.test_accuracy();
        ev.checkpoint_path = e.checkpoint_path();
        m.evaluation_data.push_back(ev);
    }
    return m;
}

std::string encode_nb101_metrics(const Nb101Metrics& m) {
    pb::ModelMetrics msg;
    msg.set_trainable_parameters(m.trainable_parameters);
    msg.set_total_time(m.total_time);
    for (const Nb101Evaluation& ev : m.evaluation_data) {
        pb::EvaluationData* e = msg.add_evaluation_data();
        e->set_current_epoch(ev.current_epoch);
        e->set_training_time(ev.training_time);
        e->set_train_accuracy(ev.train_accuracy);
        e->set_validation_accuracy(ev.validation_accuracy);
        e->set_test_accuracy(ev.test_accuracy);
        e->set_checkpoint_path(ev.checkpoint_path);
    }
    return base64_encode(msg.SerializeAsString());
}

}  // namespace nar::data
