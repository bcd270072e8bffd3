#include <nib/error.hpp>
#include <nib/head.hpp>
#include <nib/session.hpp>

#include "runtime/head_files.hpp"
#include "runtime/head_impl.hpp"
#include "runtime/head_training.hpp"
#include "runtime/session_impl.hpp"

namespace nib {

Head::Head(std::shared_ptr<const detail::HeadImpl> impl) : impl_(std::move(impl)) {}

Head Head::load(const std::filesystem::path& dir, const Model& base) {
  auto impl = std::make_shared<detail::HeadImpl>(detail::load_head(dir));
  impl->check_base(base);
  return Head(std::move(impl));
}

void Head::save(const std::filesystem::path& dir) const {
  detail::save_head(*impl_, dir);
}

const HeadInfo& Head::info() const {
  return impl_->info;
}

Classification Head::apply(std::span<const float> features) const {
  return impl_->apply(features);
}

TrainedHead train_head(const Model& model, std::span<const LabelledText> examples,
                       const TrainHeadOptions& options) {
  return detail::train_head(model, examples, options);
}

void Session::set_head(const Head& head) {
  head.shared_impl()->check_base(impl_->model);
  impl_->head = head.shared_impl();
}

void Session::clear_head() {
  impl_->head.reset();
}

}  // namespace nib
