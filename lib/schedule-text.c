/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
typedef int lemica_placeholder_schedule_text_;
