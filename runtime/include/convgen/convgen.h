#pragma once
// Everything a user of convgen includes.
#include "convgen/batch_norm.h"
#include "convgen/block.h"
#include "convgen/conv.h"
#include "convgen/errors.h"
#include "convgen/op_spec.h"
#include "convgen/options.h"
#include "convgen/schedules.h"
#include "convgen/tensor.h"
#include "convgen/threads.h"
#include "convgen/tuning.h"
#include "convgen/unfold_fold.h"
