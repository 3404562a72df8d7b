/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
typedef int lemica_placeholder_frontier_;
