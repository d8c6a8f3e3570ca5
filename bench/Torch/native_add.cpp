// Raw libtorch cost of the tiny add (no binding, no interpreter): the floor both bindings pay.
// Built by bench/Torch/run.sh; prints microseconds per op (best of rounds).
#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2, rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  at::set_num_threads(threads);
  auto a = torch::ones({4}), b = torch::ones({4});
  const int n = 20000;
  double best = 1e9;
  for (int r = 0; r < rounds + 1; r++) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) { auto c = a + b; }
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
    if (r > 0 && us < best) best = us;
  }
  std::printf("%f\n", best);
}
