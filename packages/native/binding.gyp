{
  "targets": [
    {
      "target_name": "trl_native",
      "sources": [
        "csrc/addon.cc",
        "csrc/sgemm.cc",
        "csrc/kernel_portable.cc",
        "csrc/kernel_avx2.cc",
        "csrc/worker_pool.cc",
        "csrc/decoder.cc",
        "csrc/rotary_decoder.cc",
        "csrc/panel_gemm.cc"
      ],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-exceptions", "-fno-math-errno"],
      "cflags": ["-O3"],
      "libraries": ["-lpthread"],
      "defines": ["NAPI_VERSION=8"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]
      }
    }
  ]
}
