#pragma once
// OpenBLAS on one thread for a scope, while nar's own threads each run their
// own GEMMs: its pool would otherwise split every call again (or queue the
// calls behind one another). Restored on exit, exceptions included; nothing
// when the BLAS is not OpenBLAS.
namespace nar::model {

class OneBlasThread {
  public:
    OneBlasThread();
    ~OneBlasThread();
    OneBlasThread(const OneBlasThread&) = delete;
    OneBlasThread& operator=(const OneBlasThread&) = delete;

  private:
    int saved_ = 0;
};

}  // namespace nar::model
