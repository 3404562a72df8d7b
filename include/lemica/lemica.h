/* SPDX-License-Identifier: MIT */
/**
 * @file lemica.h
 * @brief libLeMiCa: cache schedules for diffusion models by
 *        lexicographic-minimax paths. Include this one header.
 */
#ifndef LEMICA_H
#define LEMICA_H

#include "lemica-version.h"
#include "lemica-status.h"
#include "lemica-graph.h"
#include "lemica-schedule.h"
#include "lemica-solver.h"
#include "lemica-csv.h"
#include "lemica-metadata.h"
#include "lemica-file.h"
#include "lemica-profiler.h"
#include "lemica-plan.h"
#include "lemica-adaptive.h"

#endif /* LEMICA_H */
