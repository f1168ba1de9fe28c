#include "onednn_fill.h"

namespace convgen::bench {

void fill_pseudo_random(dnnl::memory &m) {
    float *data = static_cast<float *>(m.get_data_handle());
    const size_t count = m.get_desc().get_size() / sizeof(float);
    for (size_t i = 0; i < count; ++i) data[i] = float((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
}

}  // namespace convgen::bench
