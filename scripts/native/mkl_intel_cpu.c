/*
 * Intel MKL, which TorchSharp-cpu's libtorch uses for matrix products, picks its fast AVX2/AVX-512
 * kernels only when mkl_serv_intel_cpu_true() says the processor is Intel; on AMD processors it
 * takes a generic path about 2x slower for the model sizes here (bench/Models/RESULTS.md). Preloaded
 * (LD_PRELOAD) before libtorch, this definition answers "yes", so MKL chooses by the instruction sets
 * the processor reports, as OpenBLAS does. scripts/torch-env.sh builds and preloads it on AMD only;
 * AKKA_RLHF_MKL_VENDOR_CHECK=keep turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
