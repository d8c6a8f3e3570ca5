// AkkaRlhf native shim: a thin, flat extern "C" API over libtorch.
//
// Conventions (mirrored by Torch/Native.cs):
// - A tensor crosses the boundary as an owned `at::Tensor*` (opaque handle); C# frees it with ats_free.
// - Functions returning a handle return nullptr on error; functions returning int return 0 on
//   success and -1 on error. The error message (without the C++ backtrace) is kept in a
//   thread-local buffer read by ats_last_error. Nothing throws across the boundary.
// - Element-wise, reduction and shape families take an op code (enums below) to keep the API small.
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

using T = at::Tensor*;

namespace {

thread_local std::string g_last_error;
thread_local bool g_has_error = false;

void set_error(const char* msg) {
  g_last_error = msg ? msg : "unknown error";
  g_has_error = true;
}

T wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

c10::optional<at::Generator> gen_opt(at::Generator* g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}

std::vector<at::Tensor> tensor_list(T* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int i = 0; i < n; i++) v.push_back(*ts[i]);
  return v;
}

}  // namespace

// Runs BODY; on any C++ exception records the message and returns FAIL.
#define GUARD(FAIL, BODY)                                 \
  try {                                                   \
    BODY                                                  \
  } catch (const c10::Error& e) {                         \
    set_error(e.what_without_backtrace());                \
  } catch (const std::exception& e) {                     \
    set_error(e.what());                                  \
  } catch (...) {                                         \
    set_error("unknown native exception");                \
  }                                                       \
  return FAIL;

// ---------------------------------------------------------------------------------------------
// Errors, runtime settings

EXPORT const char* ats_last_error() { return g_has_error ? g_last_error.c_str() : nullptr; }
EXPORT void ats_clear_error() {
  g_has_error = false;
  g_last_error.clear();
  g_last_error.shrink_to_fit();
}

EXPORT int ats_set_num_threads(int n) { GUARD(-1, at::set_num_threads(n); return 0;) }
EXPORT int ats_get_num_threads() { return at::get_num_threads(); }
EXPORT int ats_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
EXPORT int ats_cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }
EXPORT int ats_manual_seed(uint64_t seed) { GUARD(-1, torch::manual_seed(seed); return 0;) }
EXPORT int ats_grad_set_enabled(int enabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}
EXPORT int ats_grad_is_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }

// ---------------------------------------------------------------------------------------------
// Lifetime and metadata

EXPORT void ats_free(T t) { delete t; }
EXPORT void ats_free_string(char* s) { std::free(s); }

EXPORT int ats_dim(T t) { return static_cast<int>(t->dim()); }
EXPORT int ats_shape(T t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); i++) out[i] = t->size(i);
  return 0;
}
EXPORT int64_t ats_numel(T t) { return t->numel(); }
EXPORT int ats_dtype(T t) { return static_cast<int>(t->scalar_type()); }
EXPORT int ats_device_type(T t) { return static_cast<int>(t->device().type()); }
EXPORT int ats_device_index(T t) { return t->device().index(); }
EXPORT int ats_requires_grad(T t) { return t->requires_grad() ? 1 : 0; }
EXPORT int ats_set_requires_grad(T t, int r) { GUARD(-1, t->set_requires_grad(r != 0); return 0;) }
EXPORT int ats_is_contiguous(T t) { return t->is_contiguous() ? 1 : 0; }
EXPORT int ats_is_leaf(T t) { return t->is_leaf() ? 1 : 0; }

EXPORT char* ats_to_string(T t) {
  GUARD(nullptr, std::ostringstream s; s << *t; return strdup(s.str().c_str());)
}

// ---------------------------------------------------------------------------------------------
// Creation and data transfer

// Copies `nbytes` from `data` (row-major, dtype) into a new tensor on the given device.
EXPORT T ats_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype,
                       int device_type, int device_index, int requires_grad) {
  GUARD(nullptr, {
    auto cpu = at::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    if (static_cast<int64_t>(cpu.nbytes()) != nbytes)
      throw std::invalid_argument("data size " + std::to_string(nbytes) + " bytes does not match shape (" +
                                  std::to_string(cpu.nbytes()) + " bytes expected)");
    if (nbytes > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(nbytes));
    auto t = cpu.to(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
    if (requires_grad) t.set_requires_grad(true);
    return wrap(t);
  })
}

// Copies the tensor's elements (row-major) into `dst`, which holds `nbytes`.
EXPORT int ats_copy_to_buffer(T t, void* dst, int64_t nbytes) {
  GUARD(-1, {
    auto c = t->detach().to(at::kCPU).contiguous();
    if (static_cast<int64_t>(c.nbytes()) != nbytes)
      throw std::invalid_argument("buffer holds " + std::to_string(nbytes) + " bytes, tensor needs " +
                                  std::to_string(c.nbytes()));
    if (nbytes > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(nbytes));
    return 0;
  })
}

enum Fill { FILL_EMPTY = 0, FILL_ZEROS = 1, FILL_ONES = 2, FILL_RAND = 3, FILL_RANDN = 4 };

EXPORT T ats_new(int kind, const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                 at::Generator* gen, int requires_grad) {
  GUARD(nullptr, {
    auto o = options(dtype, device_type, device_index);
    auto s = dims(shape, ndim);
    at::Tensor t;
    switch (kind) {
      case FILL_EMPTY: t = at::empty(s, o); break;
      case FILL_ZEROS: t = at::zeros(s, o); break;
      case FILL_ONES: t = at::ones(s, o); break;
      case FILL_RAND: t = at::rand(s, gen_opt(gen), o); break;
      case FILL_RANDN: t = at::randn(s, gen_opt(gen), o); break;
      default: throw std::invalid_argument("unknown fill kind " + std::to_string(kind));
    }
    if (requires_grad) t.set_requires_grad(true);
    return wrap(t);
  })
}

EXPORT T ats_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index) {
  GUARD(nullptr, return wrap(at::full(dims(shape, ndim), value, options(dtype, device_type, device_index)));)
}

EXPORT T ats_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int device_type,
                     int device_index, at::Generator* gen) {
  GUARD(nullptr,
        return wrap(at::randint(low, high, dims(shape, ndim), gen_opt(gen), options(dtype, device_type, device_index)));)
}

EXPORT T ats_arange(double start, double end, double step, int dtype, int device_type, int device_index) {
  GUARD(nullptr, return wrap(at::arange(start, end, step, options(dtype, device_type, device_index)));)
}

EXPORT T ats_scalar_tensor(double value, int dtype, int device_type, int device_index) {
  GUARD(nullptr, return wrap(at::scalar_tensor(value, options(dtype, device_type, device_index)));)
}

EXPORT T ats_to(T t, int dtype, int device_type, int device_index, int copy) {
  GUARD(nullptr, {
    auto dev = at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
    return wrap(t->to(dev, static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0));
  })
}

EXPORT int ats_item_double(T t, double* out) { GUARD(-1, *out = t->item<double>(); return 0;) }
EXPORT int ats_item_int64(T t, int64_t* out) { GUARD(-1, *out = t->item<int64_t>(); return 0;) }

// ---------------------------------------------------------------------------------------------
// Element-wise families

enum Unary {
  U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_ABS, U_TANH, U_SIGMOID, U_RELU, U_LOGSIGMOID, U_SIGN,
  U_LOGICAL_NOT, U_ISNAN, U_ISFINITE, U_FLOOR, U_LOG1P, U_EXPM1, U_SQUARE, U_RECIPROCAL, U_GELU,
  U_GELU_TANH, U_CONTIGUOUS, U_CLONE, U_DETACH, U_SIN, U_COS, U_ROUND, U_CEIL, U_SILU
};

EXPORT T ats_unary(int op, T a) {
  GUARD(nullptr, {
    const at::Tensor& x = *a;
    switch (op) {
      case U_NEG: return wrap(x.neg());
      case U_EXP: return wrap(x.exp());
      case U_LOG: return wrap(x.log());
      case U_SQRT: return wrap(x.sqrt());
      case U_RSQRT: return wrap(x.rsqrt());
      case U_ABS: return wrap(x.abs());
      case U_TANH: return wrap(x.tanh());
      case U_SIGMOID: return wrap(x.sigmoid());
      case U_RELU: return wrap(x.relu());
      case U_LOGSIGMOID: return wrap(at::log_sigmoid(x));
      case U_SIGN: return wrap(x.sign());
      case U_LOGICAL_NOT: return wrap(x.logical_not());
      case U_ISNAN: return wrap(x.isnan());
      case U_ISFINITE: return wrap(x.isfinite());
      case U_FLOOR: return wrap(x.floor());
      case U_LOG1P: return wrap(x.log1p());
      case U_EXPM1: return wrap(x.expm1());
      case U_SQUARE: return wrap(x.square());
      case U_RECIPROCAL: return wrap(x.reciprocal());
      case U_GELU: return wrap(at::gelu(x, "none"));
      case U_GELU_TANH: return wrap(at::gelu(x, "tanh"));
      case U_CONTIGUOUS: return wrap(x.contiguous());
      case U_CLONE: return wrap(x.clone());
      case U_DETACH: return wrap(x.detach());
      case U_SIN: return wrap(x.sin());
      case U_COS: return wrap(x.cos());
      case U_ROUND: return wrap(x.round());
      case U_CEIL: return wrap(x.ceil());
      case U_SILU: return wrap(at::silu(x));
    }
    throw std::invalid_argument("unknown unary op " + std::to_string(op));
  })
}

enum Binary {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
  B_LOGICAL_AND, B_LOGICAL_OR, B_MATMUL, B_REMAINDER
};

static at::Tensor binary(int op, const at::Tensor& x, const at::Tensor& y) {
  switch (op) {
    case B_ADD: return x.add(y);
    case B_SUB: return x.sub(y);
    case B_MUL: return x.mul(y);
    case B_DIV: return x.div(y);
    case B_POW: return x.pow(y);
    case B_MAXIMUM: return at::maximum(x, y);
    case B_MINIMUM: return at::minimum(x, y);
    case B_EQ: return x.eq(y);
    case B_NE: return x.ne(y);
    case B_LT: return x.lt(y);
    case B_LE: return x.le(y);
    case B_GT: return x.gt(y);
    case B_GE: return x.ge(y);
    case B_LOGICAL_AND: return x.logical_and(y);
    case B_LOGICAL_OR: return x.logical_or(y);
    case B_MATMUL: return x.matmul(y);
    case B_REMAINDER: return x.remainder(y);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

EXPORT T ats_binary(int op, T a, T b) { GUARD(nullptr, return wrap(binary(op, *a, *b));) }

// Binary op with a scalar right operand (`reverse` puts the scalar on the left: s - a, s / a).
// The scalar crosses the boundary as a double; an integral value on an integral tensor is passed
// on as an integer so that, as in PyTorch, `int_tensor - 1` stays integral.
EXPORT T ats_binary_scalar(int op, T a, double value, int reverse) {
  GUARD(nullptr, {
    const at::Tensor& x = *a;
    const bool integral = at::isIntegralType(x.scalar_type(), /*includeBool=*/false) && std::floor(value) == value &&
                          std::abs(value) < 9.007199254740992e15;
    const at::Scalar s = integral ? at::Scalar(static_cast<int64_t>(value)) : at::Scalar(value);
    if (reverse) {
      switch (op) {
        case B_SUB: return wrap(at::rsub(x, s));
        case B_DIV: return wrap(x.reciprocal().mul(s));
        case B_POW: return wrap(at::pow(s, x));
        default: return wrap(binary(op, x, at::scalar_tensor(s, x.options())));
      }
    }

    switch (op) {
      case B_ADD: return wrap(x.add(s));
      case B_SUB: return wrap(x.sub(s));
      case B_MUL: return wrap(x.mul(s));
      case B_DIV: return wrap(x.div(s));
      case B_POW: return wrap(x.pow(s));
      case B_EQ: return wrap(x.eq(s));
      case B_NE: return wrap(x.ne(s));
      case B_LT: return wrap(x.lt(s));
      case B_LE: return wrap(x.le(s));
      case B_GT: return wrap(x.gt(s));
      case B_GE: return wrap(x.ge(s));
      case B_REMAINDER: return wrap(x.remainder(s));
      default: return wrap(binary(op, x, at::scalar_tensor(s, x.options())));
    }
  })
}

// In-place updates (used by optimizers, weight loading and caches; call under no_grad for leaves).
enum Inplace { I_COPY, I_ADD, I_MUL, I_ZERO, I_FILL, I_MUL_SCALAR, I_ADD_SCALAR };

EXPORT int ats_inplace(int op, T a, T b, double s) {
  GUARD(-1, {
    switch (op) {
      case I_COPY: a->copy_(*b); return 0;
      case I_ADD: a->add_(*b, s); return 0;
      case I_MUL: a->mul_(*b); return 0;
      case I_ZERO: a->zero_(); return 0;
      case I_FILL: a->fill_(s); return 0;
      case I_MUL_SCALAR: a->mul_(s); return 0;
      case I_ADD_SCALAR: a->add_(s); return 0;
    }
    throw std::invalid_argument("unknown in-place op " + std::to_string(op));
  })
}

// clamp(a, lo, hi); a NaN bound means "no bound on that side".
EXPORT T ats_clamp(T a, double lo, double hi) {
  GUARD(nullptr, {
    c10::optional<at::Scalar> l = std::isnan(lo) ? c10::nullopt : c10::optional<at::Scalar>(lo);
    c10::optional<at::Scalar> h = std::isnan(hi) ? c10::nullopt : c10::optional<at::Scalar>(hi);
    return wrap(at::clamp(*a, l, h));
  })
}

EXPORT T ats_where(T cond, T a, T b) { GUARD(nullptr, return wrap(at::where(*cond, *a, *b));) }
EXPORT T ats_masked_fill(T a, T mask, double value) { GUARD(nullptr, return wrap(a->masked_fill(*mask, value));) }

// ---------------------------------------------------------------------------------------------
// Reductions

enum Reduce { R_SUM, R_MEAN, R_LOGSUMEXP, R_AMAX, R_AMIN, R_PROD, R_VAR, R_STD, R_ANY, R_ALL };

// ndim == 0 reduces over every dimension. `correction` is used by VAR and STD (1 = unbiased).
EXPORT T ats_reduce(int op, T a, const int64_t* d, int ndim, int keepdim, int64_t correction) {
  GUARD(nullptr, {
    const at::Tensor& x = *a;
    bool all = ndim == 0;
    std::vector<int64_t> every;
    if (all) {
      for (int64_t i = 0; i < x.dim(); i++) every.push_back(i);
    }
    at::IntArrayRef ds = all ? at::IntArrayRef(every) : dims(d, ndim);
    bool k = keepdim != 0;
    switch (op) {
      case R_SUM: return wrap(all && !k ? x.sum() : x.sum(ds, k));
      case R_MEAN: return wrap(all && !k ? x.mean() : x.mean(ds, k));
      case R_LOGSUMEXP: return wrap(at::logsumexp(x, ds, k));
      case R_AMAX: return wrap(at::amax(x, ds, k));
      case R_AMIN: return wrap(at::amin(x, ds, k));
      case R_PROD: {
        if (all) return wrap(k ? x.prod().reshape(std::vector<int64_t>(x.dim(), 1)) : x.prod());
        if (ndim != 1) throw std::invalid_argument("prod reduces over one dimension at a time");
        return wrap(x.prod(d[0], k));
      }
      case R_VAR: return wrap(at::var(x, at::OptionalIntArrayRef(ds), c10::optional<int64_t>(correction), k));
      case R_STD: return wrap(at::std(x, at::OptionalIntArrayRef(ds), c10::optional<int64_t>(correction), k));
      case R_ANY: {
        if (all) return wrap(k ? x.any().reshape(std::vector<int64_t>(x.dim(), 1)) : x.any());
        if (ndim != 1) throw std::invalid_argument("any reduces over one dimension at a time");
        return wrap(x.any(d[0], k));
      }
      case R_ALL: {
        if (all) return wrap(k ? x.all().reshape(std::vector<int64_t>(x.dim(), 1)) : x.all());
        if (ndim != 1) throw std::invalid_argument("all reduces over one dimension at a time");
        return wrap(x.all(d[0], k));
      }
    }
    throw std::invalid_argument("unknown reduction " + std::to_string(op));
  })
}

// max/min along a dimension: values and indices.
EXPORT int ats_max_dim(T a, int64_t dim, int keepdim, int is_min, T* values, T* indices) {
  GUARD(-1, {
    auto r = is_min ? a->min(dim, keepdim != 0) : a->max(dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    return 0;
  })
}

EXPORT T ats_argmax(T a, int64_t dim, int keepdim) { GUARD(nullptr, return wrap(a->argmax(dim, keepdim != 0));) }
EXPORT T ats_cumsum(T a, int64_t dim) { GUARD(nullptr, return wrap(a->cumsum(dim));) }

EXPORT int ats_topk(T a, int64_t k, int64_t dim, int largest, int sorted, T* values, T* indices) {
  GUARD(-1, {
    auto r = a->topk(k, dim, largest != 0, sorted != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    return 0;
  })
}

EXPORT int ats_sort(T a, int64_t dim, int descending, T* values, T* indices) {
  GUARD(-1, {
    auto r = a->sort(dim, descending != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    return 0;
  })
}

// ---------------------------------------------------------------------------------------------
// Shape and indexing

enum ShapeOp { S_VIEW, S_RESHAPE, S_PERMUTE, S_EXPAND, S_REPEAT, S_SQUEEZE_ALL };

EXPORT T ats_shape_op(int op, T a, const int64_t* d, int ndim) {
  GUARD(nullptr, {
    auto ds = dims(d, ndim);
    switch (op) {
      case S_VIEW: return wrap(a->view(ds));
      case S_RESHAPE: return wrap(a->reshape(ds));
      case S_PERMUTE: return wrap(a->permute(ds));
      case S_EXPAND: return wrap(a->expand(ds));
      case S_REPEAT: return wrap(a->repeat(ds));
      case S_SQUEEZE_ALL: return wrap(a->squeeze());
    }
    throw std::invalid_argument("unknown shape op " + std::to_string(op));
  })
}

enum DimOp { D_SQUEEZE, D_UNSQUEEZE, D_SOFTMAX, D_LOG_SOFTMAX, D_TRIL, D_TRIU, D_FLATTEN_FROM };

EXPORT T ats_dim_op(int op, T a, int64_t dim) {
  GUARD(nullptr, {
    switch (op) {
      case D_SQUEEZE: return wrap(a->squeeze(dim));
      case D_UNSQUEEZE: return wrap(a->unsqueeze(dim));
      case D_SOFTMAX: return wrap(a->softmax(dim));
      case D_LOG_SOFTMAX: return wrap(a->log_softmax(dim));
      case D_TRIL: return wrap(a->tril(dim));
      case D_TRIU: return wrap(a->triu(dim));
      case D_FLATTEN_FROM: return wrap(a->flatten(dim));
    }
    throw std::invalid_argument("unknown dim op " + std::to_string(op));
  })
}

EXPORT T ats_transpose(T a, int64_t d0, int64_t d1) { GUARD(nullptr, return wrap(a->transpose(d0, d1));) }
EXPORT T ats_narrow(T a, int64_t dim, int64_t start, int64_t length) {
  GUARD(nullptr, return wrap(a->narrow(dim, start, length));)
}
EXPORT T ats_slice(T a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  GUARD(nullptr, return wrap(a->slice(dim, start, end, step));)
}
EXPORT T ats_select(T a, int64_t dim, int64_t index) { GUARD(nullptr, return wrap(a->select(dim, index));) }
EXPORT T ats_cat(T* ts, int n, int64_t dim) { GUARD(nullptr, return wrap(at::cat(tensor_list(ts, n), dim));) }
EXPORT T ats_stack(T* ts, int n, int64_t dim) { GUARD(nullptr, return wrap(at::stack(tensor_list(ts, n), dim));) }
EXPORT T ats_gather(T a, int64_t dim, T index) { GUARD(nullptr, return wrap(a->gather(dim, *index));) }
EXPORT T ats_scatter(T a, int64_t dim, T index, T src) { GUARD(nullptr, return wrap(a->scatter(dim, *index, *src));) }
EXPORT T ats_index_select(T a, int64_t dim, T index) { GUARD(nullptr, return wrap(a->index_select(dim, *index));) }

// ---------------------------------------------------------------------------------------------
// Neural-network functions

EXPORT T ats_linear(T x, T w, T b) { GUARD(nullptr, return wrap(at::linear(*x, *w, b ? *b : at::Tensor()));) }
EXPORT T ats_embedding(T weight, T indices) { GUARD(nullptr, return wrap(at::embedding(*weight, *indices));) }
EXPORT T ats_layer_norm(T x, const int64_t* shape, int ndim, T w, T b, double eps) {
  GUARD(nullptr, return wrap(at::layer_norm(*x, dims(shape, ndim), w ? *w : at::Tensor(), b ? *b : at::Tensor(), eps));)
}

// Inverted dropout; draws its mask from `gen` (or the default generator) so runs are reproducible.
EXPORT T ats_dropout(T x, double p, int training, at::Generator* gen) {
  GUARD(nullptr, {
    if (!training || p == 0.0) return wrap(*x);
    if (p < 0.0 || p > 1.0) throw std::invalid_argument("dropout probability must be in [0, 1], got " + std::to_string(p));
    if (p == 1.0) return wrap(x->mul(0.0));
    auto keep = at::empty_like(*x, x->options().requires_grad(false)).bernoulli_(1.0 - p, gen_opt(gen));
    return wrap(x->mul(keep).div(1.0 - p));
  })
}

EXPORT T ats_multinomial(T probs, int64_t n, int replacement, at::Generator* gen) {
  GUARD(nullptr, return wrap(at::multinomial(*probs, n, replacement != 0, gen_opt(gen)));)
}

// ---------------------------------------------------------------------------------------------
// Autograd

EXPORT int ats_backward(T t, T grad, int retain_graph, int create_graph) {
  GUARD(-1, {
    t->backward(grad ? *grad : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                create_graph != 0);
    return 0;
  })
}

// *out is set to the gradient, or nullptr when the tensor has none.
EXPORT int ats_grad(T t, T* out) {
  GUARD(-1, {
    const auto& g = t->grad();
    *out = g.defined() ? wrap(g) : nullptr;
    return 0;
  })
}

EXPORT int ats_set_grad(T t, T grad) {
  GUARD(-1, {
    t->mutable_grad() = grad ? *grad : at::Tensor();
    return 0;
  })
}

// Clips the global norm of the gradients of `params` to max_norm; returns the norm before clipping.
EXPORT int ats_clip_grad_norm(T* params, int n, double max_norm, double norm_type, double* total) {
  GUARD(-1, {
    *total = torch::nn::utils::clip_grad_norm_(tensor_list(params, n), max_norm, norm_type);
    return 0;
  })
}

// One AdamW step (decoupled weight decay, exactly as torch.optim.AdamW) over a parameter group.
// State tensors are owned by the caller. steps[i] counts the updates of parameter i; a parameter
// without a gradient is skipped and its count is left unchanged (as PyTorch does).
EXPORT int ats_adamw_step(T* params, T* exp_avg, T* exp_avg_sq, int64_t* steps, int n, double lr, double beta1,
                          double beta2, double eps, double weight_decay) {
  GUARD(-1, {
    at::NoGradGuard no_grad;
    for (int i = 0; i < n; i++) {
      at::Tensor& p = *params[i];
      const at::Tensor& g = p.grad();
      if (!g.defined()) continue;
      const double step = static_cast<double>(++steps[i]);
      const double bias_correction1 = 1.0 - std::pow(beta1, step);
      const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2, step));
      if (weight_decay != 0.0) p.mul_(1.0 - lr * weight_decay);
      exp_avg[i]->mul_(beta1).add_(g, 1.0 - beta1);
      exp_avg_sq[i]->mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      auto denom = (exp_avg_sq[i]->sqrt() / bias_correction2_sqrt).add_(eps);
      p.addcdiv_(*exp_avg[i], denom, -lr / bias_correction1);
    }
    return 0;
  })
}

// ---------------------------------------------------------------------------------------------
// Generators

EXPORT at::Generator* ats_generator_new(uint64_t seed) {
  GUARD(nullptr, return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));)
}
EXPORT void ats_generator_free(at::Generator* g) { delete g; }
EXPORT int ats_generator_set_seed(at::Generator* g, uint64_t seed) {
  GUARD(-1, {
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_current_seed(seed);
    return 0;
  })
}
EXPORT T ats_generator_get_state(at::Generator* g) {
  GUARD(nullptr, {
    std::lock_guard<std::mutex> lock(g->mutex());
    return wrap(g->get_state());
  })
}
EXPORT int ats_generator_set_state(at::Generator* g, T state) {
  GUARD(-1, {
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_state(*state);
    return 0;
  })
}
EXPORT T ats_default_generator_get_state() {
  GUARD(nullptr, {
    auto g = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(g.mutex());
    return wrap(g.get_state());
  })
}
EXPORT int ats_default_generator_set_state(T state) {
  GUARD(-1, {
    auto g = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_state(*state);
    return 0;
  })
}

// Replaces the data of `t` in place (its identity, grad and autograd leaf status are kept): Module.to(device).
EXPORT int ats_set_data(T t, T data) { GUARD(-1, t->set_data(*data); return 0;) }
